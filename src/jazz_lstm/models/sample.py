"""What every model kind's sampler shares: the settings (`SampleConfig`: greedy, temperature,
top-k, top-p, seed, the novelty guard, beam width) and the one draw (`choose`).  The kinds'
samplers: models.recipe.sample (value by value), models.chord.sample (factor by factor).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import torch

from jazz_lstm.core.errors import JazzError

CHORD_TEMPERATURE = 0.9  # the chord model's default, chosen with the breath steer on the WJazzD model's 31 validation
# solos among 0.8, 0.9, 1.0: chord tones -1.6 points and chord tone at a change +1.5 beside the humans (0.8: +0.5, +3.7)


@dataclass
class SampleConfig:
    temperature: float | None = None  # > 0; below 1 sharper, above 1 wilder (ignored when greedy); None: the model
    # kind's default -- 1.0 for recipe models, CHORD_TEMPERATURE for chord models
    top_k: int = 0  # keep only the k most likely values (0 = all)
    top_p: float = 1.0  # keep the smallest set of values whose probability reaches p (1 = all)
    greedy: bool = False  # always take the most likely value (the recipe's argmax)
    seed: int = 0  # seeds the sampler (and the pitch choices when decoding)
    max_copy: int = 8  # novelty guard: never copy more than this many training values in a row (0 = off)
    fit: str = "split"  # a value longer than the rest of the bar: "split" it with a tie, or "mask" it out
    beam: int = 0  # > 0: beam search of this width, bar by bar, instead of sampling (one solo, no seed)
    breath: float = 1.3  # chord model: from the first note of a phrase the rest type's logit is this much higher (a
    # constant chance of breathing), and such a rest lasts a quarter beat or more -- the model alone breathes too
    # little (validation charts: phrases of 9.6 notes on average against the humans' 4.4); chosen on validation
    # with breath_short among 1.0-1.4: the silence, mean and longest phrase nearest the humans' together
    breath_short: float = 2.0  # chord model: such a breath is this much likelier (logits) to last under half a beat
    # -- the model alone rests longer than the humans (validation: rests of 1/4-1/2 beat 4.9 a hundred notes against
    # 11.3, of 1/2-2 beats 10.8 against 7.1); 2 took the classifier's accuracy there from 0.67-0.69 to 0.62-0.65 at
    # breath 1.0 (3 over-shot: 0.71); 0 = breaths as long as the model makes them
    pace: float = 0.0  # chord model: above 160 bpm, sixteenths less likely by this much per 80 bpm (for models made
    # without the tempo input -- 0.3.0 and before --, 1 gives their old default; the time-aware model thins its
    # sixteenths by itself)
    change: float = 0.15  # chord model: in the first beat of a chord change the chord-tone type's logit is this much
    # lower, the other note types' as much higher together (a note as likely as before): the model alone meets a
    # change on a chord tone more often than the humans do (validation solos: +2.7 points; 0.15 put both this and
    # the chord-tone share nearest the humans, +2.0 and -1.1, beside 0.1, 0.2, 0.3, 0.5); 0 = the model alone
    cadence: bool = False  # chord model: end on a chord tone on the last bar's downbeat, held half a bar or more, then
    # rest (the model does not know where the solo ends; without it a solo stops mid-line).  Off by default: the one
    # forced chord tone at the last change moved the held-out chord-tone-at-a-change figure from +2.2 to +4.5 points
    motif: int = 0  # chord model: restate the solo's opening motif every this many bars, moved with the chord
    # roots -- the same over the same chord, a sequence over another (0 = off: the model alone keeps no motif)
    threads: int = 1  # torch and BLAS threads while sampling: one step of these small networks gains nothing from more,
    # and more fight a busy neighbour for cores (n=128, 32 bars, beside a test run: 5.2 s with 1, 14.9 s with 2)

    def __post_init__(self):
        if self.temperature is not None and not self.temperature > 0:
            raise JazzError(f"temperature must be > 0 (got {self.temperature}); use greedy decoding for argmax",
                            field="temperature")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or not -2**63 <= self.seed < 2**64:
            raise JazzError(f"the seed must be a whole number in -2^63..2^64-1 (got {self.seed})", field="seed")
        if self.top_k < 0:
            raise JazzError("top-k must be >= 0", field="top_k")
        if not 0 < self.top_p <= 1:
            raise JazzError(f"top-p must be in (0, 1] (got {self.top_p})", field="top_p")
        if self.max_copy < 0:
            raise JazzError("max-copy must be >= 0 (0 = off)")
        if self.beam < 0:
            raise JazzError("beam width must be >= 0 (0 = sample)")
        if isinstance(self.threads, bool) or not isinstance(self.threads, int) or not 1 <= self.threads <= 256:
            raise JazzError(f"threads must be a whole number in 1..256 (got {self.threads!r})", field="threads")
        for name in ("breath", "breath_short", "pace", "change"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 10:
                raise JazzError(f"{name} must be a number in 0..10 (got {v!r})", field=name)
        if isinstance(self.motif, bool) or not isinstance(self.motif, int) or not 0 <= self.motif <= 256:
            raise JazzError(f"motif must be a whole number of bars in 0..256 (got {self.motif!r}; 0 = off)", field="motif")
        if not isinstance(self.cadence, bool):
            raise JazzError(f"cadence must be true or false (got {self.cadence!r})", field="cadence")
        if self.fit not in ("split", "mask"):
            raise JazzError(f"fit must be 'split' or 'mask' (got {self.fit!r})")

    def to_dict(self) -> dict:
        return asdict(self)


def choose(logits: torch.Tensor, cfg: SampleConfig, gen: torch.Generator) -> torch.Tensor:
    """logits (N, V) with -inf for banned values -> ids (N,)."""
    if cfg.greedy:
        return logits.argmax(-1)
    if cfg.temperature not in (None, 1.0):
        logits = logits / cfg.temperature
    if cfg.top_k and cfg.top_k < logits.shape[-1]:
        kth = logits.topk(cfg.top_k, dim=-1).values[:, -1:]
        logits = logits.masked_fill(logits < kth, float("-inf"))
    if cfg.top_p < 1.0:
        srt, order = logits.sort(dim=-1, descending=True)
        cum = srt.softmax(-1).cumsum(-1)
        drop = cum - srt.softmax(-1) >= cfg.top_p  # keep the first value that crosses p
        logits = logits.scatter(-1, order, srt.masked_fill(drop, float("-inf")))
    # inverse-CDF sampling on unnormalised weights: one exp, one cumsum, one search
    cdf = (logits - logits.max(-1, keepdim=True).values).exp_().cumsum_(-1)
    u = torch.rand(cdf.shape[0], 1, generator=gen).mul_(cdf[:, -1:])
    return torch.searchsorted(cdf, u).clamp_(max=cdf.shape[-1] - 1)[:, 0]
