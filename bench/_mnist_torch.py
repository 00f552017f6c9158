"""The notes' MNIST pipeline written for torch: what ``ember train`` does, as a PyTorch user writes
it (torchvision is not installed here, so its MNIST, ToTensor and Normalize are spelled out
below as torchvision implements them: a PIL image per item, then a float tensor in [0, 1], then
``(x - 0.5) / 0.5``).

Started by ``bench_train.py`` with the same initial weights and the same per-epoch sample order
as ``ember train`` (from ``--init``), so both runs reach the same accuracy. Writes a checkpoint
and metrics.csv after every epoch, as ``ember train`` does, and prints one line per epoch.
"""
import argparse
import csv
import gzip
import os
import time
from collections import OrderedDict

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image


def read_idx(path):
    with gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


class MNIST(torch.utils.data.Dataset):
    def __init__(self, root, train):
        prefix = "train" if train else "t10k"
        self.data = read_idx(os.path.join(root, prefix + "-images-idx3-ubyte.gz"))
        self.targets = read_idx(os.path.join(root, prefix + "-labels-idx1-ubyte.gz"))

    def __len__(self):
        return len(self.targets)

    def __getitem__(self, i):
        img = Image.fromarray(self.data[i], mode="L")
        return normalize(to_tensor(img)), int(self.targets[i])


def to_tensor(pic):
    img = torch.from_numpy(np.array(pic, np.uint8, copy=True))
    img = img.view(pic.size[1], pic.size[0], 1).permute(2, 0, 1).contiguous()
    return img.to(torch.float32).div(255)


def normalize(t):
    return t.sub_(0.5).div_(0.5)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(OrderedDict([
            ("conv1", nn.Conv2d(1, 32, 3, 1, 1)), ("relu1", nn.ReLU()), ("pool", nn.MaxPool2d(2))]))
        self.dense = nn.Sequential(OrderedDict([
            ("dense1", nn.Linear(32 * 14 * 14, 128)), ("relu2", nn.ReLU()),
            ("dense2", nn.Linear(128, 10))]))

    def forward(self, x):
        x = self.conv(x)
        return self.dense(x.view(x.size(0), -1))


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(OrderedDict([
            ("conv1", nn.Conv2d(1, 6, 5, padding=2)), ("relu1", nn.ReLU()),
            ("pool1", nn.MaxPool2d(2)), ("conv2", nn.Conv2d(6, 16, 5)), ("relu2", nn.ReLU()),
            ("pool2", nn.MaxPool2d(2))]))
        self.dense = nn.Sequential(OrderedDict([
            ("dense1", nn.Linear(16 * 5 * 5, 120)), ("relu3", nn.ReLU()),
            ("dense2", nn.Linear(120, 84)), ("relu4", nn.ReLU()), ("dense3", nn.Linear(84, 10))]))

    def forward(self, x):
        x = self.conv(x)
        return self.dense(x.view(x.size(0), -1))


class MLP(nn.Module):
    def __init__(self, hidden=256):
        super().__init__()
        self.dense = nn.Sequential(OrderedDict([
            ("dense1", nn.Linear(28 * 28, hidden)), ("relu1", nn.ReLU()),
            ("dense2", nn.Linear(hidden, 10))]))

    def forward(self, x):
        return self.dense(x.view(x.size(0), -1))


def evaluate(model, dataset):
    loader = torch.utils.data.DataLoader(dataset, batch_size=500, shuffle=False)
    model.eval()
    loss_sum, correct, seen = 0.0, 0, 0
    with torch.no_grad():
        for images, labels in loader:
            output = model(images)
            loss_sum += F.cross_entropy(output, labels, reduction="sum").item()
            correct += int((output.argmax(1) == labels).sum())
            seen += len(labels)
    return loss_sum / seen, correct / seen


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--init", required=True, help="npz: initial weights and epoch orders")
    ap.add_argument("--model", default="net")
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--momentum", type=float, default=0.9)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    train_set, test_set = MNIST(args.data, True), MNIST(args.data, False)
    init = np.load(args.init)
    model = {"net": Net, "lenet5": LeNet5, "mlp": MLP}[args.model]()
    model.load_state_dict({k[6:]: torch.from_numpy(init[k]) for k in init.files
                           if k.startswith("state.")})
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
    history = []
    for epoch in range(1, args.epochs + 1):
        began = time.perf_counter()
        loader = torch.utils.data.DataLoader(train_set, batch_size=args.batch_size,
                                             sampler=init["order%d" % epoch].tolist())
        model.train()
        loss_sum, correct, seen = 0.0, 0, 0
        for images, targets in loader:
            output = model(images)
            loss = F.cross_entropy(output, targets)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * len(targets)
            correct += int((output.argmax(1) == targets).sum().item())
            seen += len(targets)
        test_loss, test_acc = evaluate(model, test_set)
        history.append({"epoch": epoch, "train_loss": loss_sum / seen, "train_acc": correct / seen,
                        "test_loss": test_loss, "test_acc": test_acc,
                        "lr": optimizer.param_groups[0]["lr"],
                        "time_s": time.perf_counter() - began})
        scheduler.step()
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                    "scheduler": scheduler.state_dict(), "epoch": epoch, "history": history},
                   os.path.join(args.out, "checkpoint.pt"))
        with open(os.path.join(args.out, "metrics.csv"), "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(history[0]))
            writer.writeheader()
            writer.writerows(history)
        row = history[-1]
        print("epoch %d/%d  train loss %.4f  train acc %6.2f%%  test loss %.4f  test acc %6.2f%%"
              % (epoch, args.epochs, row["train_loss"], 100 * row["train_acc"], row["test_loss"],
                 100 * row["test_acc"]), flush=True)


if __name__ == "__main__":
    main()
