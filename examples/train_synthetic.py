"""Train a small MLP on generated data with ember, written exactly as PyTorch code.

Run: ``python examples/train_synthetic.py``. Prints the loss falling epoch by epoch.
"""
import ember as torch


def make_data(n=2048, seed=0):
    """Two interleaved spirals with a little noise: not linearly separable."""
    g = torch.Generator().manual_seed(seed)
    t = torch.rand(n, generator=g) * 3 * 3.14159
    label = torch.randint(0, 2, (n,), generator=g)
    sign = label.float() * 2 - 1
    x = torch.stack([t.cos() * t * sign, t.sin() * t * sign], dim=1) / 10
    x = x + 0.02 * torch.randn(n, 2, generator=g)
    return x, label


def main(epochs=20, batch_size=64, lr=0.05):
    torch.manual_seed(0)
    x, y = make_data()
    w1 = (torch.randn(2, 64) * 0.5).requires_grad_()
    b1 = torch.zeros(64, requires_grad=True)
    w2 = (torch.randn(64, 64) * 0.15).requires_grad_()
    b2 = torch.zeros(64, requires_grad=True)
    w3 = (torch.randn(64, 2) * 0.15).requires_grad_()
    b3 = torch.zeros(2, requires_grad=True)
    params = [w1, b1, w2, b2, w3, b3]
    velocity = [torch.zeros_like(p) for p in params]
    for epoch in range(epochs):
        perm = torch.randperm(len(x))
        total = 0.0
        for i in range(0, len(x), batch_size):
            idx = perm[i:i + batch_size]
            xb, yb = x[idx], y[idx]
            h = (xb @ w1 + b1).tanh()
            h = (h @ w2 + b2).tanh()
            logits = h @ w3 + b3
            loss = -torch.log_softmax(logits, dim=1).gather(1, yb[:, None]).mean()
            loss.backward()
            with torch.no_grad():
                for p, v in zip(params, velocity):
                    v.mul_(0.9).add_(p.grad)
                    p -= lr * v
                    p.grad = None
            total += loss.item() * len(idx)
        with torch.no_grad():
            h = ((x @ w1 + b1).tanh() @ w2 + b2).tanh()
            acc = ((h @ w3 + b3).argmax(1) == y).float().mean().item()
        print("epoch %2d  loss %.4f  accuracy %.3f" % (epoch + 1, total / len(x), acc))


if __name__ == "__main__":
    main()
