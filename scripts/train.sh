#!/usr/bin/env bash
# Train a model only when the data, domain or config changed since the newest model.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(.venv/bin/python -m bot.settings)"
RASA=.venv/bin/rasa
args=(--config config.yml --domain domain.yml --data data/nlu data/stories --out models)
if ls models/*.tar.gz >/dev/null 2>&1 && "$RASA" train "${args[@]}" --dry-run >/dev/null 2>&1; then
  echo "Model is up to date: $(ls -t models/*.tar.gz | head -1)"
  exit 0
fi
echo "Training the model ..."
start=$(date +%s)
"$RASA" train "${args[@]}" --fixed-model-name "herning-$(date +%Y%m%d-%H%M%S)"
echo "Trained in $(( $(date +%s) - start )) s: $(ls -t models/*.tar.gz | head -1)"
