"""PyTorch reference for the LDL, classification and multi-task losses (values and gradients).

Usage: reference_losses.py OUTPUT_DIR  -> OUTPUT_DIR/losses.safetensors
"""
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
import safetensors_io  # noqa: E402

SIGMA, LAMBDA, NUM_AGES = 2.0, 1.0, 101


def gaussian_labels(ages, sigma):
    classes = torch.arange(NUM_AGES, dtype=torch.float32)
    density = torch.exp(-((classes[None, :] - ages[:, None]) ** 2) / (2 * sigma ** 2))
    return density / density.sum(1, keepdim=True)


def ldl(logits, ages):
    log_p = torch.log_softmax(logits, 1)
    kl = torch.nn.KLDivLoss(reduction="batchmean")(log_p, gaussian_labels(ages, SIGMA))
    expected = (log_p.exp() * torch.arange(NUM_AGES, dtype=torch.float32)).sum(1)
    l1 = torch.nn.L1Loss()(expected, ages)
    return kl, l1, kl + LAMBDA * l1


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(7)
    batch = 6
    ages = torch.tensor([0.0, 3.0, 25.0, 47.0, 99.0, 100.0])
    genders = torch.tensor([0, 1, -1, 1, 0, 1])
    ethnicities = torch.tensor([0, 4, 2, -1, 1, 3])
    logits = (torch.randn(batch, NUM_AGES) * 3).requires_grad_()
    gender_logits = torch.randn(batch, 2).requires_grad_()
    ethnicity_logits = torch.randn(batch, 5).requires_grad_()

    kl, l1, total = ldl(logits, ages)
    ldl_grad, = torch.autograd.grad(total, logits)

    ce = torch.nn.functional.cross_entropy(logits, ages.round().long())
    ce_grad, = torch.autograd.grad(ce, logits)

    known_g, known_e = genders >= 0, ethnicities >= 0
    multi = (ldl(logits, ages)[2]
             + torch.nn.functional.cross_entropy(gender_logits[known_g], genders[known_g])
             + torch.nn.functional.cross_entropy(ethnicity_logits[known_e], ethnicities[known_e]))
    multi_grads = torch.autograd.grad(multi, [logits, gender_logits, ethnicity_logits])

    sigma3 = gaussian_labels(ages, 3.0)
    safetensors_io.save({
        "ages": ages, "genders": genders, "ethnicities": ethnicities,
        "logits": logits.detach(), "gender_logits": gender_logits.detach(),
        "ethnicity_logits": ethnicity_logits.detach(),
        "labels_sigma2": gaussian_labels(ages, SIGMA), "labels_sigma3": sigma3,
        "kl": kl.detach().reshape(1), "l1": l1.detach().reshape(1),
        "ldl_total": total.detach().reshape(1), "ldl_grad": ldl_grad,
        "ce": ce.detach().reshape(1), "ce_grad": ce_grad,
        "multitask_total": multi.detach().reshape(1),
        "multitask_grad_age": multi_grads[0], "multitask_grad_gender": multi_grads[1],
        "multitask_grad_ethnicity": multi_grads[2],
    }, os.path.join(out_dir, "losses.safetensors"))


if __name__ == "__main__":
    main(sys.argv[1])
