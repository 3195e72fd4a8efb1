"""The meaning layer loads from the installed wheel with the network off and gives vectors
that put a paraphrase nearer than an unrelated sentence; facts carry their vectors."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np

from bot.meaning.model import DIM, dequantise, embed, quantise


def test_model_loads_with_the_network_off() -> None:
    script = textwrap.dedent(
        """
        import socket
        def refuse(*args, **kwargs):
            raise OSError("network is off in this test")
        socket.socket.connect = refuse
        socket.create_connection = refuse
        socket.getaddrinfo = refuse
        from bot.meaning.model import embed
        v = embed(["Negotiators will meet again in Abu Dhabi"])
        print(v.shape[1], round(float((v[0] ** 2).sum()), 3))
        """
    )
    env = {"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env=env
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(DIM), "1.0"]


def test_paraphrase_is_nearer_than_an_unrelated_sentence() -> None:
    q, para, other = embed(
        [
            "who green-lit the plan",
            "The president approved the plan on Friday",
            "Heavy rain flooded the market square",
        ]
    )
    assert float(q @ para) > float(q @ other) + 0.1


def test_quantised_vectors_keep_their_similarities() -> None:
    v = embed(["troops to police a ceasefire", "a force to monitor the truce"])
    back = dequantise(quantise(v))
    back /= np.linalg.norm(back, axis=1, keepdims=True)
    assert abs(float(back[0] @ back[1]) - float(v[0] @ v[1])) < 0.01
    assert len(quantise(v)[0]) == DIM


def test_empty_text_gives_a_zero_vector() -> None:
    assert not embed([""]).any()
