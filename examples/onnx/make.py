"""How the ONNX files beside this script were made (torch 2.13, torchvision 0.28, onnx 1.23):

    python examples/onnx/make.py

resnet18 (torchvision, random weights) is exported twice with the TorchScript exporter
(`dynamo=False`): `resnet18.onnx` in eval mode (each BatchNorm folded into its conv, as a
deployment export does) and `resnet18_training.onnx` in training mode (BatchNorm kept, nothing
folded). Each is then saved with its weights as external data and the data file deleted: the
graph alone is a few kilobytes, and counting needs only the shapes (each initializer's `dims`).
No runtime can run these files; cnncalc counts them.
"""

from __future__ import annotations

import sys
import types
import warnings
from pathlib import Path

import onnx
import torch

sys.modules.setdefault(  # torchvision's compiled ops do not load on the CPU wheel; not needed
    "torchvision._meta_registrations", types.ModuleType("torchvision._meta_registrations")
)
import torchvision  # noqa: E402

HERE = Path(__file__).resolve().parent


def export(model: torch.nn.Module, path: Path, training: bool) -> None:
    kw: dict[str, object] = {"dynamo": False, "input_names": ["x"],
                             "dynamic_axes": {"x": {0: "N"}}}  # fmt: skip
    if training:
        kw.update(training=torch.onnx.TrainingMode.TRAINING, do_constant_folding=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model.eval(), torch.randn(1, 3, 224, 224), str(path), **kw)
    graph = onnx.load(str(path))
    data = path.name + ".data"
    onnx.save_model(graph, str(path), save_as_external_data=True, all_tensors_to_one_file=True,
                    location=data, size_threshold=1024)  # fmt: skip
    (path.parent / data).unlink()


def main() -> None:
    torch.manual_seed(0)
    model = torchvision.models.resnet18(weights=None)
    export(model, HERE / "resnet18.onnx", training=False)
    export(model, HERE / "resnet18_training.onnx", training=True)


if __name__ == "__main__":
    main()
