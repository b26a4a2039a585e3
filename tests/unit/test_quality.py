"""When a model is good enough: the thresholds kept in the repo, a new model against the
running one, and the token the reload signs its requests with."""

from __future__ import annotations

import time

import jwt
import pytest

from bot.nlu_compare import Score
from bot.quality import Thresholds, below_thresholds, thresholds, worse_than
from bot.rasa_api import admin_token
from bot.settings import PROJECT_ROOT


def score(answered: float, wrong: float, top1: float = 0.9) -> Score:
    return Score("m", top1=top1, answered=answered, wrong=wrong, macro_f1=0.0,
                 train_seconds=0.0)


def test_the_repo_thresholds_are_read_and_applied():
    limits = thresholds(PROJECT_ROOT)
    assert 0 < limits.wrong_answer_at_most < limits.answered_right_at_least <= 1
    strict = Thresholds(0.85, 0.80, 0.10)
    assert below_thresholds(score(0.82, 0.08), strict) == []
    reasons = below_thresholds(score(0.70, 0.12, top1=0.80), strict)
    assert len(reasons) == 3
    assert "70,0 %" in reasons[1] and "mindst 80,0 %" in reasons[1]
    assert "højst 10,0 %" in reasons[2]


def test_a_new_model_may_not_answer_fewer_right_or_more_wrong_than_the_running_one():
    running = score(answered=200 / 250, wrong=20 / 250)
    # One question either way is within the default tolerance.
    assert worse_than(score(199 / 250, 21 / 250), running, 250) == []
    assert worse_than(score(210 / 250, 15 / 250), running, 250) == []
    fewer = worse_than(score(198 / 250, 20 / 250), running, 250)
    assert len(fewer) == 1 and "færre" in fewer[0]
    more_wrong = worse_than(score(200 / 250, 22 / 250), running, 250)
    assert len(more_wrong) == 1 and "forkert på flere" in more_wrong[0]
    assert worse_than(score(199 / 250, 20 / 250), running, 250, tolerance=0) != []


def test_the_reload_token_is_an_admin_token_signed_with_the_secret_and_expires():
    secret = "s" * 40
    token = admin_token(secret, now=time.time() - 3600)  # issued an hour ago
    claims = jwt.decode(token, secret, algorithms=["HS256"],
                        options={"verify_exp": False})
    assert claims["user"] == {"username": "bot-cli", "role": "admin"}
    assert claims["exp"] - claims["iat"] == 600
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, "t" * 40, algorithms=["HS256"], options={"verify_exp": False})
    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode(token, secret, algorithms=["HS256"])


def test_rasa_starts_with_its_api_only_when_the_secret_is_set():
    from bot.rasa_run import rasa_arguments

    assert rasa_arguments(["--port", "5005"], "") == ["rasa", "run", "--port", "5005"]
    with_api = rasa_arguments(["--port", "5005"], "x" * 40)
    assert with_api[-5:] == ["--enable-api", "--jwt-secret", "x" * 40, "--jwt-method",
                             "HS256"]
    with pytest.raises(SystemExit, match="RASA_API_JWT_SECRET"):
        rasa_arguments(["--enable-api"], "")
