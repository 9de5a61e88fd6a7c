"""
No secret reaches any output: one full `uatcert run` of the three profiles against a sandbox on 127.0.0.1
configured as the target with distinctive credentials (so they really travel on the wire: Basic client
credentials, form fields, the X-Client-Secret header, AllSafe Basic), then every output stream and every
file under the reports folder (zip members and embedded base64 included) grepped for each secret in
every form it could take (`tests.leakscan`, which does not use the product's own canary).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, clean_env, run_uatcert
from tests.leakscan import Secret, scan_folder
from uatcert.sandbox import (
    ALLSAFE_NOVAULT_USERNAME,
    ALLSAFE_USERNAME,
    DEFAULT_CLIENT_ID,
    READONLY_CLIENT_ID,
    V2_CLIENT_ID,
    V2_X_CLIENT_ID,
    BackgroundServer,
    SandboxConfig,
    create_app,
)

V2_FILE = ROOT / "src" / "uatcert" / "sandbox" / "data" / "v2_catalogue.csv"
SECRETS = (
    Secret("the v3 client secret", "Lk4-v3full+Sec/ret=a91", DEFAULT_CLIENT_ID),
    Secret("the v3 read-only client secret", "Lk4-v3read+Sec/ret=b72", READONLY_CLIENT_ID),
    Secret("the v2 client secret", "Lk4-v2token+Sec/ret=c53", V2_CLIENT_ID),
    Secret("the v2 X-Client-Secret", "Lk4-v2xclient+Sec/ret=d34", V2_X_CLIENT_ID),
    Secret("the AllSafe password", "Lk4-allsafe+Sec/ret=e15", ALLSAFE_USERNAME),
    Secret("the AllSafe no-vault password", "Lk4-novault+Sec/ret=f06", ALLSAFE_NOVAULT_USERNAME),
)
V3_FULL, V3_READ, V2_TOKEN, V2_X, ALLSAFE, NOVAULT = (s.value for s in SECRETS)


@pytest.fixture(scope="module")
def target() -> Iterator[BackgroundServer]:
    """A sandbox whose every credential the run uses is one of SECRETS."""
    config = SandboxConfig()
    clients = [config.clients[0].model_copy(update={"client_secret": V3_FULL}),
               config.clients[1].model_copy(update={"client_secret": V3_READ})]
    v2_clients = [config.v2_clients[0].model_copy(update={"client_secret": V2_TOKEN, "x_client_secret": V2_X}),
                  *config.v2_clients[1:]]
    config = config.model_copy(update={
        "clients": clients, "v2_clients": v2_clients,
        "allsafe_passwords": {ALLSAFE_USERNAME: ALLSAFE, ALLSAFE_NOVAULT_USERNAME: NOVAULT},
    })
    with BackgroundServer(create_app(config)) as server:
        yield server


def test_no_secret_in_any_output_of_a_full_run(
    target: BackgroundServer, tmp_path: Path, request: pytest.FixtureRequest,
    record_property: Callable[[str, object], None], capsys: pytest.CaptureFixture[str],
) -> None:
    root = target.base_url
    env = clean_env(
        UATCERT_V3__BASE_URL=target.v3_base_url, UATCERT_V3__TOKEN_URL=target.token_url,
        UATCERT_V3__CLIENT_ID=DEFAULT_CLIENT_ID, UATCERT_V3__CLIENT_SECRET=V3_FULL,
        UATCERT_V3__READONLY_CLIENT_ID=READONLY_CLIENT_ID, UATCERT_V3__READONLY_CLIENT_SECRET=V3_READ,
        UATCERT_V2__BASE_URL=f"{root}/v2", UATCERT_V2__TOKEN_URL=f"{root}/v2/connect/token",
        UATCERT_V2__CLIENT_ID=V2_CLIENT_ID, UATCERT_V2__CLIENT_SECRET=V2_TOKEN,
        UATCERT_V2__X_CLIENT_ID=V2_X_CLIENT_ID, UATCERT_V2__X_CLIENT_SECRET=V2_X,
        UATCERT_V2__CATALOGUE_FILE=str(V2_FILE),
        UATCERT_ALLSAFE__BASE_URL=f"{root}/allsafe", UATCERT_ALLSAFE__USERNAME=ALLSAFE_USERNAME,
        UATCERT_ALLSAFE__PASSWORD=ALLSAFE, UATCERT_ALLSAFE__NOVAULT_USERNAME=ALLSAFE_NOVAULT_USERNAME,
        UATCERT_ALLSAFE__NOVAULT_PASSWORD=NOVAULT,
    )
    run = run_uatcert(tmp_path / "reports", env=env)
    # the secrets were used: every profile ran against the configured target and certified
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert {api: t["sandbox"] for api, t in run.results.targets.items()} == {"v3": False, "v2": False,
                                                                            "allsafe": False}
    assert list(run.reports.glob("uatcert-evidence-*.zip")), "no bundle: the grep must read its contents"
    scan = scan_folder(run.reports, list(SECRETS), streams={"stdout": run.stdout, "stderr": run.stderr})
    figures = f"secrets grep: {len(SECRETS)} secrets, {scan.figures()}"
    record_property("secrets_grep", figures)
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        with capsys.disabled():  # the figures on the terminal, also under -q
            reporter.write_line(figures)
    assert scan.files > 100 and scan.members > 100 and scan.decoded > 0
    assert scan.hits == [], "\n".join(str(h) for h in scan.hits[:20])
