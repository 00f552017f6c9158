"""A character-level language model: an LSTM learns to continue the text in
``examples/data/tiny.txt``, written exactly as PyTorch code.

Run: ``python examples/char_lm.py [--seconds 40]``. Prints the loss falling, then a sample.
"""
import argparse
import os
import time

import ember as torch
import ember.nn as nn
import ember.nn.functional as F

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "tiny.txt")


class CharLM(nn.Module):
    """Embedding -> LSTM -> Linear over the vocabulary, one prediction per position."""

    def __init__(self, vocab, hidden, embed=32, num_layers=1):
        super().__init__()
        self.embed = nn.Embedding(vocab, embed)
        self.lstm = nn.LSTM(embed, hidden, num_layers=num_layers, batch_first=True)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, x, state=None):
        out, state = self.lstm(self.embed(x), state)
        return self.head(out), state


def load_text(path=DATA):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}
    return torch.tensor([index[c] for c in text]), chars


def batches(data, seq_len, batch_size, generator):
    """Random windows of ``seq_len + 1`` characters: inputs and next-character targets."""
    starts = torch.randint(0, len(data) - seq_len - 1, (batch_size,), generator=generator)
    window = torch.stack([data[s:s + seq_len + 1] for s in starts.tolist()])
    return window[:, :-1], window[:, 1:]


def train(steps=None, seconds=None, seq_len=64, batch_size=32, hidden=128, lr=3e-3,
          log_every=50, seed=0):
    """Train for ``steps`` steps (or ``seconds`` of wall time); returns the loss of each step."""
    torch.manual_seed(seed)
    data, chars = load_text()
    model = CharLM(len(chars), hidden)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    g = torch.Generator().manual_seed(seed)
    losses = []
    start = time.perf_counter()
    step = 0
    while (steps is None or step < steps) and \
            (seconds is None or time.perf_counter() - start < seconds):
        x, y = batches(data, seq_len, batch_size, g)
        logits, _ = model(x)
        loss = F.cross_entropy(logits.reshape(-1, len(chars)), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        losses.append(loss.item())
        step += 1
        if log_every and step % log_every == 0:
            recent = sum(losses[-log_every:]) / log_every
            print("step %4d  %5.1fs  loss %.3f" % (step, time.perf_counter() - start, recent),
                  flush=True)
    train.model, train.chars = model, chars
    return losses


def sample(model, chars, prompt="The keeper", length=200, temperature=0.8, seed=0):
    """Continue ``prompt`` one character at a time, feeding the LSTM state forward."""
    index = {c: i for i, c in enumerate(chars)}
    g = torch.Generator().manual_seed(seed)
    model.eval()
    out = list(prompt)
    with torch.no_grad():
        logits, state = model(torch.tensor([[index[c] for c in prompt]]))
        for _ in range(length):
            probs = F.softmax(logits[0, -1] / temperature, dim=-1)
            nxt = torch.multinomial(probs, 1, generator=g).item()
            out.append(chars[nxt])
            logits, state = model(torch.tensor([[nxt]]), state)
    return "".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=40.0, help="training time budget")
    ap.add_argument("--threads", type=int, default=1, help="BLAS threads (more can be slower "
                    "on a busy machine)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    losses = train(seconds=args.seconds)
    print("loss: first 20 steps %.3f, last 20 steps %.3f"
          % (sum(losses[:20]) / 20, sum(losses[-20:]) / 20))
    print(sample(train.model, train.chars))


if __name__ == "__main__":
    main()
