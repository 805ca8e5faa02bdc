#!/usr/bin/env python3
"""PyTorch side of `submit/bench-compare` (run it from there, not from the JVM): the same pre-activation ResNet (basic blocks,
widths 16/32/64, BN gamma init 0.5, L1 sub-gradient on every BN gamma), batch size and thread count,
timed the same way (median images/s of repeated runs after warm-up). Prints one JSON line, with the
OpenMP variables (OMP_*, KMP_*, GOMP_*) this process saw.
With --arch resnet: torchvision's ImageNet ResNet of --depth (netslim's model.arch = resnet), same L1 term.
Needs Debian's python3-torch (installed here when missing, as root), and python3-torchvision for --arch resnet."""
import argparse, json, os, subprocess, sys, time

def ensure_torch():
    try:
        import torch  # noqa: F401
    except ImportError:
        if os.geteuid() != 0:
            sys.exit("bench-pytorch: install Debian's python3-torch first")
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "python3-torch"], check=True,
                       env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", choices=["preresnet", "resnet"], default="preresnet")
    ap.add_argument("--classes", type=int, default=10)
    ap.add_argument("--depth", type=int, default=20)
    ap.add_argument("--shape", default="3x32x32")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--lambda", dest="lam", type=float, default=1e-4)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup-seconds", type=float, default=0)
    ap.add_argument("--profile", action="store_true",
                    help="after the timed runs, profile --steps steps (torch.profiler) and add each op's self CPU "
                         "milliseconds per step to the JSON")
    args = ap.parse_args()
    ensure_torch()
    import torch, torch.nn as nn
    torch.set_num_threads(args.threads)
    c, h, w = (int(v) for v in args.shape.split("x"))

    class Block(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.bn1, self.conv1 = nn.BatchNorm2d(cin), nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn2, self.conv2 = nn.BatchNorm2d(cout), nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.down = nn.Conv2d(cin, cout, 1, stride, bias=False) if stride != 1 or cin != cout else None
        def forward(self, x):
            out = self.conv1(torch.relu(self.bn1(x)))
            out = self.conv2(torch.relu(self.bn2(out)))
            return out + (self.down(x) if self.down is not None else x)

    if args.arch == "resnet":
        import torchvision
        model = getattr(torchvision.models, "resnet%d" % args.depth)(num_classes=args.classes)
    else:
        n = (args.depth - 2) // 6
        layers, cin = [nn.Conv2d(c, 16, 3, 1, 1, bias=False)], 16
        for s, width in enumerate((16, 32, 64)):
            for b in range(n):
                layers.append(Block(cin, width, 2 if s > 0 and b == 0 else 1)); cin = width
        layers += [nn.BatchNorm2d(64), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, args.classes)]
        model = nn.Sequential(*layers)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.weight.data.fill_(0.5)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    x, y = torch.rand(args.batch, c, h, w), torch.randint(0, args.classes, (args.batch,))
    loss_fn = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        for m in bns:
            m.weight.grad.add_(args.lam * torch.sign(m.weight.data))
        opt.step()

    warmup_end = time.perf_counter() + args.warmup_seconds
    for i in range(10 ** 9):
        step()
        if i >= 4 and time.perf_counter() >= warmup_end:
            break
    rates = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        for _ in range(args.steps):
            step()
        rates.append(args.steps * args.batch / (time.perf_counter() - t0))
    rates.sort()
    profile = None
    if args.profile:
        with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
            for _ in range(args.steps):
                step()
        profile = {e.key: e.self_cpu_time_total / 1000.0 / args.steps for e in prof.key_averages()
                   if e.self_cpu_time_total > 0}
    import resource
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps({"train_images_per_s": rates[len(rates) // 2], "runs": sorted(rates),
                      "peak_rss_mb": peak_rss_mb, "torch": torch.__version__,
                      "threads": args.threads, "environment": {k: v for k, v in sorted(os.environ.items())
                                                             if k.startswith(("OMP_", "KMP_", "GOMP_"))},
                      "profile_ms_per_step": profile, "arch": args.arch, "depth": args.depth, "shape": args.shape, "batch": args.batch}))

if __name__ == "__main__":
    main()
