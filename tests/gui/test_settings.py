"""UiSettings round trips through an INI file in tmp_path, separately for each staff login."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow, QTableView, QWidget
from pytestqt.qtbot import QtBot

from unioncore_desktop.db.profile import ConnectionProfile
from unioncore_desktop.gui.settings import UiSettings, load_connection_profile, save_connection_profile


class TestRoundTrip:
    def test_values_land_in_tmp_path(self, ui_settings: UiSettings, settings_dir: Path) -> None:
        ui_settings.set_last_search("members", "smith")
        ui_settings.sync()
        assert QSettings().fileName().startswith(str(settings_dir))
        assert list(settings_dir.rglob("*.ini"))

    def test_defaults_when_nothing_saved(self, ui_settings: UiSettings) -> None:
        assert ui_settings.window_geometry("main") is None
        assert ui_settings.window_state("main") is None
        assert ui_settings.header_state("members") is None
        assert ui_settings.last_search("members") == ""
        assert ui_settings.last_profile() is None

    def test_text_survives_a_fresh_instance(self, ui_settings: UiSettings) -> None:
        ui_settings.set_last_search("members", "Smith, John")
        ui_settings.set_last_profile("Hall office")
        ui_settings.sync()

        fresh = UiSettings("dispatcher1")
        assert fresh.last_search("members") == "Smith, John"
        assert fresh.last_profile() == "Hall office"

    def test_clearing_the_profile(self, ui_settings: UiSettings) -> None:
        ui_settings.set_last_profile("Hall office")
        ui_settings.set_last_profile(None)
        assert ui_settings.last_profile() is None

    def test_bytes_survive_a_fresh_instance(self, ui_settings: UiSettings) -> None:
        ui_settings.set_header_state("members", QByteArray(b"\x00\x01header"))
        ui_settings.sync()
        assert UiSettings("dispatcher1").header_state("members") == QByteArray(b"\x00\x01header")

    def test_each_login_has_its_own_layout(self, ui_settings: UiSettings) -> None:
        ui_settings.set_last_search("members", "smith")
        other = UiSettings("dues_clerk2")
        assert other.last_search("members") == ""

    def test_names_cannot_open_subgroups(self, ui_settings: UiSettings) -> None:
        ui_settings.set_last_search("books/inside", "x")
        odd_user = UiSettings("a/b")
        odd_user.set_last_search("members", "y")
        keys = QSettings().allKeys()
        assert "users/dispatcher1/screens/books_inside/last_search" in keys
        assert "users/a_b/screens/members/last_search" in keys


class TestConnectionProfiles:
    def test_nothing_saved(self, settings_dir: Path) -> None:
        assert load_connection_profile() is None

    def test_tls_settings_survive_a_fresh_store(self, settings_dir: Path) -> None:
        profile = ConnectionProfile(name="default", host="db.hall.local", port=5433, database="unioncore",
                                    user="dana", sslmode="verify-full", sslrootcert="/etc/unioncore/hall-ca.crt")
        save_connection_profile(profile)
        QSettings().sync()
        assert load_connection_profile() == profile
        keys = QSettings().allKeys()
        assert "connection_profiles/default/sslmode" in keys and not any("password" in key for key in keys)

    def test_a_profile_saved_before_tls_settings_prefers_tls(self, settings_dir: Path) -> None:
        store = QSettings()
        for key, value in (("host", "db.hall.local"), ("port", 5432), ("database", "unioncore"), ("user", "dana")):
            store.setValue(f"connection_profiles/default/{key}", value)
        loaded = load_connection_profile()
        assert loaded is not None and (loaded.sslmode, loaded.sslrootcert) == ("prefer", "")

    def test_a_primary_its_standby_and_the_reports_standby_survive_a_fresh_store(self, settings_dir: Path) -> None:
        profile = ConnectionProfile(name="default", host="hall-a:5432,hall-b:5432", database="unioncore",
                                    user="dana", reports_host="hall-b:5432")
        save_connection_profile(profile)
        QSettings().sync()
        assert load_connection_profile() == profile

    def test_a_server_list_libpq_cannot_read_asks_again(self, settings_dir: Path) -> None:
        QSettings().setValue("connection_profiles/default/host", "hall-a,,hall-b")
        assert load_connection_profile() is None

    def test_an_unknown_mode_reads_as_prefer(self, settings_dir: Path) -> None:
        QSettings().setValue("connection_profiles/default/host", "db.hall.local")
        QSettings().setValue("connection_profiles/default/sslmode", "paranoid")
        loaded = load_connection_profile()
        assert loaded is not None and loaded.sslmode == "prefer"


class TestWidgets:
    def test_window_geometry_and_state(self, qtbot: QtBot, ui_settings: UiSettings) -> None:
        window = QMainWindow()
        qtbot.addWidget(window)
        window.resize(640, 480)
        ui_settings.save_window("main", window)
        assert ui_settings.window_state("main") is not None

        restored = QMainWindow()
        qtbot.addWidget(restored)
        assert ui_settings.restore_window("main", restored)
        assert restored.size().width() == 640

    def test_plain_widget_keeps_geometry_only(self, qtbot: QtBot, ui_settings: UiSettings) -> None:
        dialog = QWidget()
        qtbot.addWidget(dialog)
        ui_settings.save_window("member-dialog", dialog)
        assert ui_settings.window_geometry("member-dialog") is not None
        assert ui_settings.window_state("member-dialog") is None

    def test_nothing_saved_means_nothing_restored(self, qtbot: QtBot, ui_settings: UiSettings) -> None:
        window = QMainWindow()
        qtbot.addWidget(window)
        assert not ui_settings.restore_window("never-saved", window)
        view = QTableView()
        qtbot.addWidget(view)
        assert not ui_settings.restore_header("never-saved", view.horizontalHeader())
