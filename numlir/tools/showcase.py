"""Scalar showcase kernels shared by ``numlir demo`` and ``benchmarks/scalar_speed.py``.

The functions here are plain Python; callers wrap them with ``numlir.njit`` (and
``numba.njit`` for comparisons), so the same source is compiled by every backend.
Each entry of :data:`KERNELS` is ``(name, function, args_small, args_bench)``:
``args_small`` keeps the pure-Python run of ``numlir demo`` to a fraction of a second,
``args_bench`` is sized for steady-state compiled timing.
"""
from __future__ import annotations

import math


def prime_count(n):
    """Number of primes below ``n`` by trial division with odd divisors."""
    if n <= 2:
        return 0
    count = 1  # 2
    for k in range(3, n, 2):
        is_prime = True
        d = 3
        while d * d <= k:
            if k % d == 0:
                is_prime = False
                break
            d += 2
        if is_prime:
            count += 1
    return count


def monte_carlo_pi(n, seed):
    """Estimate pi from ``n`` points drawn with a 64-bit-safe integer LCG (mod 2**31)."""
    state = seed
    inside = 0
    for _ in range(n):
        state = (1103515245 * state + 12345) % 2147483648
        x = state / 2147483648.0
        state = (1103515245 * state + 12345) % 2147483648
        y = state / 2147483648.0
        if x * x + y * y <= 1.0:
            inside += 1
    return 4.0 * inside / n


def mandelbrot(width, height, max_iter):
    """Sum of escape counts over a ``width`` x ``height`` grid of [-2, 1] x [-1.5, 1.5]."""
    total = 0
    for j in range(height):
        ci = -1.5 + 3.0 * j / height
        for i in range(width):
            cr = -2.0 + 3.0 * i / width
            zr = 0.0
            zi = 0.0
            k = 0
            while k < max_iter and zr * zr + zi * zi <= 4.0:
                zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
                k += 1
            total += k
    return total


def mandelbrot_complex(width, height, max_iter):
    """:func:`mandelbrot` written with Python complex numbers.

    The escape test is ``abs(z) <= 2.0``; ``z.real``/``z.imag`` would avoid the square root
    but numlir does not support those attributes yet.
    """
    total = 0
    for j in range(height):
        for i in range(width):
            c = complex(-2.0 + 3.0 * i / width, -1.5 + 3.0 * j / height)
            z = 0j
            k = 0
            while k < max_iter and abs(z) <= 2.0:
                z = z * z + c
                k += 1
            total += k
    return total


def collatz_max(n):
    """``(start, steps)`` of the start below ``n`` with the longest Collatz trajectory."""
    best = 0
    best_start = 1
    for start in range(1, n):
        x = start
        steps = 0
        while x != 1:
            if x % 2 == 0:
                x = x // 2
            else:
                x = 3 * x + 1
            steps += 1
        if steps > best:
            best = steps
            best_start = start
    return best_start, best


def gcd_sum(n):
    """Sum of gcd(i, j) for 1 <= i, j < n by Euclid's algorithm."""
    total = 0
    for i in range(1, n):
        for j in range(1, n):
            a = i
            b = j
            while b != 0:
                a, b = b, a % b
            total += a
    return total


def leibniz_pi(n):
    """Leibniz series for pi with ``n`` terms (a float reduction with a branch-free sign)."""
    s = 0.0
    sign = 1.0
    for k in range(n):
        s += sign / (2 * k + 1)
        sign = -sign
    return 4.0 * s


def trapezoid_integral(n):
    """Trapezoid rule for the integral of exp(-x*x) * sin(x) + sqrt(x) over [0, 4]."""
    a = 0.0
    b = 4.0
    h = (b - a) / n
    s = 0.5 * (math.exp(-a * a) * math.sin(a) + math.sqrt(a)
               + math.exp(-b * b) * math.sin(b) + math.sqrt(b))
    for k in range(1, n):
        x = a + k * h
        s += math.exp(-x * x) * math.sin(x) + math.sqrt(x)
    return s * h


def fib_iter(n):
    """n-th Fibonacci number modulo 2**61-1 (iterative, integer tuple swaps)."""
    a = 0
    b = 1
    for _ in range(n):
        a, b = b, (a + b) % 2305843009213693951
    return a


KERNELS = [
    ("prime_count", prime_count, (100_000,), (200_000,)),
    ("monte_carlo_pi", monte_carlo_pi, (200_000, 12345), (2_000_000, 12345)),
    ("mandelbrot", mandelbrot, (160, 120, 100), (320, 240, 200)),
    ("mandelbrot_complex", mandelbrot_complex, (160, 120, 100), (320, 240, 200)),
    ("collatz_max", collatz_max, (30_000,), (300_000,)),
]

# Extra kernels used only by the benchmarks.
EXTRA_KERNELS = [
    ("gcd_sum", gcd_sum, (120,), (600,)),
    ("leibniz_pi", leibniz_pi, (1_000_000,), (5_000_000,)),
    ("trapezoid_integral", trapezoid_integral, (100_000,), (2_000_000,)),
    ("fib_iter", fib_iter, (100_000,), (5_000_000,)),
]


def results_equal(a, b, rel=1e-12):
    """Compare kernel results: exact for ints/tuples of ints, tight relative for floats."""
    if isinstance(a, tuple) or isinstance(b, tuple):
        return (isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b)
                and all(results_equal(x, y, rel) for x, y in zip(a, b)))
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(a, b, rel_tol=rel, abs_tol=rel)
    return a == b
