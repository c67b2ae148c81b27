"""Pretrained ImageNet backbones for transfer-learning tasks, for learners (implementation: grader.models.pretrained).

Example:
    from grader.pretrained import load_backbone

    backbone = load_backbone("efficientnet_lite0", (96, 96, 3))   # raw pixels 0..255 in, frozen
"""

from grader.models.pretrained import BACKBONES, BackboneUnavailableError, load_backbone

__all__ = ["BACKBONES", "BackboneUnavailableError", "load_backbone"]
