from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from vakhsh.hydrology.records import combine, read_gsim_monthly

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def gauges() -> pd.DataFrame:
    """Garm (1936-86), Uch-Kurgan natural period (1938-72) and Kokcha (1964-78), monthly m3/s."""
    files = {
        "vakhsh_garm": "gsim_TJ_0000003_Vakhsh_Garm_monthly_mean.csv",
        "naryn_uchkurgan": "gsim_KG_0000005_Naryn_UchKurgan_monthly_mean.csv",
        "kokcha_khojaghar": "gsim_AF_0000009_Kokcha_Khojaghar_monthly_mean.csv",
    }
    df = combine({k: read_gsim_monthly(DATA / f) for k, f in files.items()})
    df.loc["1973":, "naryn_uchkurgan"] = np.nan  # Toktogul filling from 1973: not natural
    return df
