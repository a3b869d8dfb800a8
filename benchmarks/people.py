"""Generated participants' NIPs for the benchmarks."""


def synthetic_nip(k: int) -> str:
    """An 18-digit NIP that reads as one (born 1 January 1980, appointed in 2005, a month, a sex digit and a
    number), a different one for each k below 24,000."""
    month, rest = divmod(k, 2000)
    sex, number = divmod(rest, 1000)
    return f"198001012005{month + 1:02d}{sex + 1}{number:03d}"
