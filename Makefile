# One command per habit; CI (.ci/run) calls `make test` too.
SHELL := /bin/bash
PY := .venv/bin/python
export TF_CPP_MIN_LOG_LEVEL ?= 2
export SQLALCHEMY_SILENCE_UBER_WARNING ?= 1
export RASA_TELEMETRY_ENABLED ?= false

.PHONY: setup train run test test-cluster bench-load soak profile lint eval bench compare handoffs resend purge validate review check-model reload lock clean

setup:            ## Python 3.10 venv, locked dependencies, Danish spaCy pipeline
	@scripts/setup.sh

train: setup      ## train a model when data, domain or config changed
	@scripts/train.sh

run: train        ## start the action server and the Rasa server on localhost
	@scripts/run.sh

test: train       ## all tests: unit, Rasa validation and story tests, live-server tests
	@eval "$$($(PY) -m bot.settings)" && $(PY) -m pytest

test-cluster: train ## only the two-replica test: PostgreSQL, Redis, replica killed (about 2.5 min)
	@eval "$$($(PY) -m bot.settings)" && $(PY) -m pytest -m cluster

bench-load: train ## Locust, 50 parents: one SQLite server, then two replicas on PostgreSQL + Redis
	@scripts/bench_venv.sh
	@$(PY) -m benchmarks.run_load --setup sqlite
	@$(PY) -m benchmarks.run_load --setup cluster

soak: train       ## ten minutes of steady load on two replicas, memory sampled every 10 s
	@scripts/bench_venv.sh
	@$(PY) -m benchmarks.run_load --setup cluster --minutes 10 --name soak

profile: train    ## where one message's time goes in the Rasa server (cProfile)
	@$(PY) -m benchmarks.profile_request

lint: setup       ## ruff and mypy
	$(PY) -m ruff check bot actions tests benchmarks
	$(PY) -m mypy bot actions

eval: setup       ## the dev questions against the running bot (start it with make run)
	@$(PY) -m bot.cli eval tests/data/dev_questions.yml

bench: setup      ## REST latency benchmark against the running bot (start it with make run)
	@$(PY) -m bot.cli bench tests/data/dev_questions.yml

compare: setup    ## NLU pipeline comparison on the held-out set -> docs/nlu-comparison.md
	@eval "$$($(PY) -m bot.settings)" && $(PY) -m bot.cli compare

handoffs: setup   ## list parents' callback requests and whether staff received them
	@eval "$$($(PY) -m bot.settings)" && $(PY) -m bot.cli handoffs list

resend: setup     ## re-send undelivered callback requests (run it from a schedule)
	@eval "$$($(PY) -m bot.settings)" && $(PY) -m bot.cli handoffs resend

purge: setup      ## delete conversations older than RETENTION_DAYS (run it daily)
	@eval "$$($(PY) -m bot.settings)" && $(PY) -m bot.cli conversations purge

validate: setup   ## check the data staff edit (file and line), then Rasa's own validation
	@eval "$$($(PY) -m bot.settings)" && $(PY) -m bot.cli validate

review: setup     ## report of unanswered questions and figures: var/review/review.html
	@eval "$$($(PY) -m bot.settings)" && $(PY) -m bot.cli review

check-model: train ## the newest model: story tests and the held-out set against the thresholds
	@eval "$$($(PY) -m bot.settings)" && $(PY) -m bot.cli test

reload: setup     ## swap the newest model into the running server (needs RASA_API_JWT_SECRET)
	@eval "$$($(PY) -m bot.settings)" && $(PY) -m bot.cli reload

lock:             ## rewrite requirements.lock from the current environment
	@{ head -3 requirements.lock; $(PY) -m pip freeze --all --exclude-editable; } > requirements.lock.new
	@mv requirements.lock.new requirements.lock

clean:            ## remove trained models, built pipeline and local conversations
	rm -rf models build var .rasa
