"""The functional forms of ``torch.nn``: one file per ``nn/modules`` file."""
