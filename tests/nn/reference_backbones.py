"""PyTorch reference for the C++ backbones: weights, inputs and outputs to compare by name.

Usage: reference_backbones.py OUTPUT_DIR, which writes into OUTPUT_DIR:
  inputs.safetensors              "images" [2, 3, 96, 80] and "images_64" [2, 3, 64, 64]
  ARCH.safetensors                the state dict (PyTorch names, incl. num_batches_tracked)
  ARCH_outputs.safetensors        "eval_age" (eval mode), then "train_age" (train mode) and
                                  "after_train.KEY" for every BN buffer the train pass updated
  ARCH_multitask.safetensors      (resnet18, seresnext50_32x4d, vgg16_bn) the multi-task head
                                  tensors "head.KEY" and eval outputs "eval_age", "eval_gender",
                                  "eval_ethnicity" of paper §4.6's network on the same backbone

ResNets and VGG16-BN are torchvision's own modules with the classifier replaced by a 101-way
Linear. SE-ResNeXt-50 32x4d is written here with timm's seresnext50_32x4d names (timm is not
installed): a ResNeXt bottleneck (grouped 3x3, width = planes * 2) with an SE gate after bn3.
"""
import os
import sys

import torch
import torch.nn as nn
import torchvision

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
import safetensors_io  # noqa: E402

NUM_AGES, NUM_GENDERS, NUM_ETHNICITIES = 101, 2, 5
VGG_MIDDLE_END = 33  # features[:33] ends with block 4's last ReLU (see src/faceage/nn/vgg.h)


class SqueezeExcitation(nn.Module):
    def __init__(self, channels, reduced):
        super().__init__()
        self.fc1 = nn.Conv2d(channels, reduced, 1, bias=True)
        self.fc2 = nn.Conv2d(reduced, channels, 1, bias=True)

    def forward(self, x):
        gate = self.fc2(torch.relu(self.fc1(x.mean((2, 3), keepdim=True))))
        return x * torch.sigmoid(gate)


class SeResNeXtBottleneck(nn.Module):
    def __init__(self, inplanes, planes, stride, downsample, groups=32, base_width=4):
        super().__init__()
        width = planes * base_width // 64 * groups
        out = planes * 4
        self.conv1 = nn.Conv2d(inplanes, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride, 1, groups=groups, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, out, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(out)
        self.se = SqueezeExcitation(out, out // 16)
        self.downsample = downsample

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        y = torch.relu(self.bn2(self.conv2(y)))
        y = self.se(self.bn3(self.conv3(y)))
        shortcut = x if self.downsample is None else self.downsample(x)
        return torch.relu(y + shortcut)


class SeResNeXt50(nn.Module):
    """timm's seresnext50_32x4d layout: conv1/bn1 stem, layer1-4, fc."""

    def __init__(self, num_classes):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        inplanes = 64
        for index, (planes, blocks) in enumerate(zip((64, 128, 256, 512), (3, 4, 6, 3))):
            stride = 1 if index == 0 else 2
            layer = []
            for b in range(blocks):
                downsample = None
                if b == 0:
                    downsample = nn.Sequential(
                        nn.Conv2d(inplanes, planes * 4, 1, stride, bias=False),
                        nn.BatchNorm2d(planes * 4))
                layer.append(SeResNeXtBottleneck(inplanes, planes, stride if b == 0 else 1,
                                                 downsample))
                inplanes = planes * 4
            setattr(self, f"layer{index + 1}", nn.Sequential(*layer))
        self.fc = nn.Linear(2048, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x):
        return self.fc(resnet_features(self, x)[1])


def resnet_features(model, x):
    """(layer2 output, pooled layer4 output) of a torchvision-style ResNet."""
    x = model.maxpool(torch.relu(model.bn1(model.conv1(x))))
    middle = model.layer2(model.layer1(x))
    pooled = torch.flatten(nn.functional.adaptive_avg_pool2d(
        model.layer4(model.layer3(middle)), 1), 1)
    return middle, pooled


def vgg_features(model, x):
    """(block 4 output, 4096-wide input of classifier.6) of torchvision's VGG."""
    middle = model.features[:VGG_MIDDLE_END](x)
    pooled = torch.flatten(model.avgpool(model.features[VGG_MIDDLE_END:](middle)), 1)
    return middle, model.classifier[:6](pooled)


def build(arch, vgg_dropout=0.0):
    """The backbone with a 101-way head; bench/bench_backbones.py builds its models here too."""
    if arch == "vgg16_bn":
        # Dropout off by default so train-mode outputs are deterministic on both sides.
        model = torchvision.models.vgg16_bn(weights=None, dropout=vgg_dropout)
        model.classifier[6] = nn.Linear(4096, NUM_AGES)
    elif arch == "seresnext50_32x4d":
        model = SeResNeXt50(NUM_AGES)
    else:
        model = getattr(torchvision.models, arch)(weights=None)
        model.fc = nn.Linear(model.fc.in_features, NUM_AGES)
    return model


@torch.no_grad()
def make_batch_norm_non_trivial(model, images):
    """Running stats from real activations (so eval activations stay in range), then
    perturbed, with perturbed affine parameters: eval differs visibly from train mode."""
    norms = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    for bn in norms:
        bn.momentum = None  # cumulative average: one batch sets the stats to its own
        bn.reset_running_stats()
    model.train()
    model(torch.randn_like(images))
    for bn in norms:
        bn.momentum = 0.1
        bn.running_mean.add_(0.1 * torch.randn_like(bn.running_mean))
        bn.running_var.mul_(torch.empty_like(bn.running_var).uniform_(0.8, 1.25))
        bn.weight.copy_(torch.empty_like(bn.weight).uniform_(0.8, 1.2))
        bn.bias.copy_(0.1 * torch.randn_like(bn.bias))
        bn.num_batches_tracked.fill_(int(torch.randint(1, 100, ())))


@torch.no_grad()
def multitask_reference(arch, model, images, middle_channels, feature_width):
    """Paper §4.6 on this backbone: layer2 (VGG: block 4) -> GAP -> gender/ethnicity FCs,
    concatenated with the pooled features into a (feature_width + 7)-wide age FC."""
    age_key = "classifier.6" if arch == "vgg16_bn" else "fc"
    heads = {
        age_key: nn.Linear(feature_width + NUM_GENDERS + NUM_ETHNICITIES, NUM_AGES),
        "gender_fc": nn.Linear(middle_channels, NUM_GENDERS),
        "ethnicity_fc": nn.Linear(middle_channels, NUM_ETHNICITIES),
    }
    features = vgg_features if arch == "vgg16_bn" else resnet_features
    model.eval()
    middle, pooled = features(model, images)
    middle = torch.flatten(nn.functional.adaptive_avg_pool2d(middle, 1), 1)
    gender, ethnicity = heads["gender_fc"](middle), heads["ethnicity_fc"](middle)
    age = heads[age_key](torch.cat([pooled, gender, ethnicity], 1))
    out = {"eval_age": age, "eval_gender": gender, "eval_ethnicity": ethnicity}
    for name, layer in heads.items():
        out[f"head.{name}.weight"] = layer.weight
        out[f"head.{name}.bias"] = layer.bias
    return out


MULTITASK = {  # arch -> (middle channels, pooled feature width)
    "resnet18": (128, 512), "seresnext50_32x4d": (512, 2048), "vgg16_bn": (512, 4096)}


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(2)
    torch.manual_seed(0)
    inputs = {"images": torch.randn(2, 3, 96, 80), "images_64": torch.randn(2, 3, 64, 64)}
    safetensors_io.save(inputs, os.path.join(out_dir, "inputs.safetensors"))

    for seed, arch in enumerate(("resnet18", "resnet34", "resnet50", "seresnext50_32x4d",
                                 "vgg16_bn")):
        torch.manual_seed(100 + seed)
        images = inputs["images_64" if arch == "vgg16_bn" else "images"]
        model = build(arch)
        make_batch_norm_non_trivial(model, images)
        safetensors_io.save(model.state_dict(), os.path.join(out_dir, f"{arch}.safetensors"))

        model.eval()
        with torch.no_grad():
            outputs = {"eval_age": model(images)}
        if arch in MULTITASK:
            safetensors_io.save(multitask_reference(arch, model, images, *MULTITASK[arch]),
                                os.path.join(out_dir, f"{arch}_multitask.safetensors"))
        model.train()
        with torch.no_grad():
            outputs["train_age"] = model(images)
        for key, tensor in model.state_dict().items():
            if key.endswith(("running_mean", "running_var", "num_batches_tracked")):
                outputs[f"after_train.{key}"] = tensor
        safetensors_io.save(outputs, os.path.join(out_dir, f"{arch}_outputs.safetensors"))
        print(f"{arch}: eval max|age| {outputs['eval_age'].abs().max():.4g}, "
              f"train max|age| {outputs['train_age'].abs().max():.4g}")


if __name__ == "__main__":
    main(sys.argv[1])
