#!/usr/bin/env python3
"""Reference figures for the privacy accountant's tests, computed a different way from the Java code.

    python3 benchmarks/privacy_reference.py > benchmarks/privacy_reference.log

Record level: the Java accountant sums a binomial expansion (integer orders) or the Mironov-Talwar-Zhang series
(fractional orders). Here the same quantity,

    A(alpha) = E_{z ~ N(0, s^2)} [ ((1 - q) + q * N(1, s^2)(z) / N(0, s^2)(z)) ^ alpha ],

is integrated numerically with mpmath at 30 digits, for integer and fractional orders alike, so an algebra slip in
either expansion shows up as a mismatch. RDP of one step is log(A) / (alpha - 1).

Member level: T Gaussian rounds with noise multiplier z are mu-GDP with mu = sqrt(T) / z; epsilon for delta is
found by bisection on delta(eps) = Phi(-eps/mu + mu/2) - e^eps Phi(-eps/mu - mu/2), with mpmath's normal CDF at
50 digits.

Python's statistics.NormalDist is not precise enough for the member-level figures: its cdf is built on erf, so
Phi(-8.6) comes out near zero and the bisection lands on 29.07 instead of 28.37 for z=1, T=20, delta=1e-5 (scipy's
norm.cdf agrees with mpmath).

Needs mpmath (tested with 1.3.0); takes about a minute.
"""
import mpmath as mp

ORDERS = [1.25, 1.5, 1.75] + [2 + 0.5 * i for i in range(21)] + [14, 16, 20, 24, 28, 32, 48, 64, 128, 256, 512]


def log_a(q, s, alpha):
    """log A(alpha) by quadrature; the integrand's mass sits near 0 (no sample) and near alpha (tilted by alpha)."""
    with mp.workdps(30):
        q, s, alpha = mp.mpf(q), mp.mpf(s), mp.mpf(alpha)
        ratio = lambda z: mp.exp((2 * z - 1) / (2 * s * s))
        integrand = lambda z: mp.npdf(z, 0, s) * ((1 - q) + q * ratio(z)) ** alpha
        cuts = sorted({-12 * s, mp.mpf(0), mp.mpf(1), alpha, alpha - 12 * s, alpha + 12 * s})
        return mp.log(mp.quad(integrand, [-mp.inf] + cuts + [mp.inf], maxdegree=10))


def rdp(q, s, alpha):
    return log_a(q, s, alpha) / (mp.mpf(alpha) - 1)


def classic(rdp_total, alpha, delta):
    return rdp_total + mp.log(1 / mp.mpf(delta)) / (alpha - 1)


def improved(rdp_total, alpha, delta):
    alpha = mp.mpf(alpha)
    return rdp_total + mp.log((alpha - 1) / alpha) - (mp.log(delta) + mp.log(alpha)) / (alpha - 1)


def record_level(q, s, steps, delta):
    rows = [(a, rdp(q, s, a)) for a in ORDERS]
    best_classic = min((classic(steps * r, a, delta), a) for a, r in rows)
    best_improved = min((max(improved(steps * r, a, delta), 0), a) for a, r in rows)
    return rows, best_classic, best_improved


def gdp_delta(mu, eps):
    return mp.ncdf(-eps / mu + mu / 2) - mp.exp(eps) * mp.ncdf(-eps / mu - mu / 2)


def member_level(z, rounds, delta):
    with mp.workdps(50):
        mu = mp.sqrt(rounds) / mp.mpf(z)
        delta = mp.mpf(delta)
        if gdp_delta(mu, 0) <= delta:
            return mp.mpf(0)
        lo, hi = mp.mpf(0), mp.mpf(1)
        while gdp_delta(mu, hi) > delta:
            hi *= 2
        for _ in range(200):
            mid = (lo + hi) / 2
            if gdp_delta(mu, mid) > delta:
                lo = mid
            else:
                hi = mid
        return hi


def main():
    print("# Record level: per-step RDP by quadrature; epsilon minimised over the orders")
    settings = [
        ("published DP-SGD (MNIST)", 256 / 60000, 1.1, 14063, 1e-5),
        ("large q, small noise", 0.5, 0.5, 10, 1e-5),
        ("small q, large noise", 0.01, 4.0, 1000, 1e-6),
    ]
    for name, q, s, steps, delta in settings:
        rows, (ce, ca), (ie, ia) = record_level(q, s, steps, delta)
        print(f"\n## {name}: q={q!r} z={s} steps={steps} delta={delta}")
        for a, r in rows:
            print(f"rdp(alpha={a}) = {mp.nstr(r, 17)}")
        print(f"classic  epsilon = {mp.nstr(ce, 17)} at alpha={ca}")
        print(f"improved epsilon = {mp.nstr(ie, 17)} at alpha={ia}")

    # Here A(alpha) - 1 is about 1e-14: a sum of terms near 1 would keep almost none of its digits.
    print("\n## tiny q, large noise (per order only): q=1e-06 z=10.0")
    for a in [1.5, 2, 2.5, 3, 3.5]:
        print(f"rdp(alpha={a}) = {mp.nstr(rdp(1e-6, 10.0, a), 17)}")

    print("\n# Member level: exact composition of Gaussian rounds (mu-GDP)")
    for z, rounds, delta in [(1.0, 20, 1e-5), (0.8, 100, 1e-6), (5.0, 1, 1e-5), (2.0, 400, 1e-5), (30.0, 1, 0.1)]:
        print(f"z={z} rounds={rounds} delta={delta}: epsilon = {mp.nstr(member_level(z, rounds, delta), 17)}")


if __name__ == "__main__":
    main()
