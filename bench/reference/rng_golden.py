"""Golden values for the workbench RNG (src-main/engine/rng.ts), restated here from the published
algorithms, not from our code's output: xoshiro128** (Blackman & Vigna, xoshiro128starstar.c),
murmur3's fmix32 finaliser, and the seeding the workbench documents (four successive fmix32 of
x += 0x9E3779B9 from the seed's two 32-bit words XOR-ed). Writes test/fixtures/reference/rng.json.
Run: python3 bench/reference/rng_golden.py"""
import json
import os

M = 0xFFFFFFFF
GOLDEN = 0x9E3779B9


def fmix32(h):
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & M
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & M
    return h ^ (h >> 16)


def rotl(x, k):
    return ((x << k) | (x >> (32 - k))) & M


class Xoshiro128ss:
    def __init__(self, state):
        self.s = list(state)

    def next_u32(self):
        s = self.s
        result = (rotl((s[1] * 5) & M, 7) * 9) & M
        t = (s[1] << 9) & M
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 11)
        return result

    def next_float(self):
        a = self.next_u32() >> 5
        b = self.next_u32() >> 6
        return (a * 67108864 + b) / 9007199254740992


def seeded_state(seed):
    x = (seed & M) ^ ((seed // 4294967296) & M)
    out = []
    for _ in range(4):
        x = (x + GOLDEN) & M
        out.append(fmix32(x))
    return out


def words(v):
    return v & M, (v // 4294967296) & M


def derive_seed(seed, *parts):
    lo, hi = words(seed)
    h = fmix32(lo ^ fmix32((hi + GOLDEN) & M))
    for i, p in enumerate(parts):
        plo, phi = words(p)
        h = fmix32((((h + ((i + 1) * GOLDEN)) & M) ^ fmix32(plo) ^ rotl(fmix32(phi ^ 0x5BD1E995), 16)) & M)
    return h


def main():
    out = {"about": "xoshiro128** and the workbench seeding, restated from the published algorithms by bench/reference/rng_golden.py"}
    ref = Xoshiro128ss([1, 2, 3, 4])
    out["state1234_u32"] = [ref.next_u32() for _ in range(8)]
    seeds = {}
    for seed in [0, 42, 2**40 + 7]:
        r = Xoshiro128ss(seeded_state(seed))
        seeds[str(seed)] = {"state": seeded_state(seed), "u32": [r.next_u32() for _ in range(6)], "float": [r.next_float() for _ in range(3)]}
    out["seeds"] = seeds
    out["derive"] = [{"seed": s, "parts": p, "value": derive_seed(s, *p)} for s, p in [(42, []), (42, [1, 2]), (42, [2, 1]), (7, [2**33 + 5]), (2**40 + 7, [0, 3])]]
    path = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "reference", "rng.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
