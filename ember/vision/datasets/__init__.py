"""Datasets mirroring ``torchvision.datasets``."""
from ember.vision.datasets import mnist
from ember.vision.datasets.cifar import CIFAR10, CIFAR100
from ember.vision.datasets.fakedata import FakeData
from ember.vision.datasets.folder import DatasetFolder, ImageFolder
from ember.vision.datasets.mnist import EMNIST, KMNIST, MNIST, QMNIST, FashionMNIST
from ember.vision.datasets.vision import VisionDataset

__all__ = ["CIFAR10", "CIFAR100", "DatasetFolder", "EMNIST", "FakeData", "FashionMNIST",
           "ImageFolder", "KMNIST", "MNIST", "QMNIST", "VisionDataset", "mnist"]
