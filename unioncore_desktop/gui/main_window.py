"""The main window: navigation to every area, the status bar, and the banner shown while the server is away."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.db.preflight import Preflight
from unioncore_desktop.db.profile import ConnectionProfile
from unioncore_desktop.domain.queries.dues import PostingLookupRow
from unioncore_desktop.gui import events, icons
from unioncore_desktop.gui.books.screen import BooksScreen
from unioncore_desktop.gui.dues.screen import DuesScreen
from unioncore_desktop.gui.employers.screen import EmployersScreen
from unioncore_desktop.gui.members.screen import MembersScreen
from unioncore_desktop.gui.referral.screen import ReferralScreen
from unioncore_desktop.gui.reports.screen import ReportsScreen
from unioncore_desktop.gui.requests.history import RequestHistoryScreen
from unioncore_desktop.gui.requests.screen import RequestsScreen
from unioncore_desktop.gui.roles import DATA_IMPORTERS, STAFF_ADMINS
from unioncore_desktop.gui.settings import UiSettings
from unioncore_desktop.gui.setup.screen import SetupScreen
from unioncore_desktop.gui.itemmodels import formatting
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.reports.base import DEFAULT_TIME_ZONE
from unioncore_desktop.gui.widgets.typed_work import confirm_leaving

RECONNECT_INTERVAL_MS = 3000
AREAS = {"members": ("Members", "members"), "employers": ("Employers", "employers"),
         "books": ("Books", "books")}
AREAS["requests"] = ("Requests", "add")
AREAS["referral"] = ("Morning referral", "dispatch")
AREAS["reports"] = ("Reports", "reports")
AREAS["dues"] = ("Dues", "dues")
AREAS["setup"] = ("Hall set-up", "audit")
AREAS["request_history"] = ("Request history", "audit")


def _tr(text: str) -> str:
    return QCoreApplication.translate("MainWindow", text)


def connection_security(facts: Preflight, profile: ConnectionProfile, server: str) -> tuple[str, str]:
    """The status bar's word on the link to the server, and a tooltip saying what it means."""
    if facts.local_socket:
        return (_tr("Local connection"),
                _tr("Connected through a socket on this computer; nothing crosses the network."))
    if not facts.encrypted:
        return (_tr("Not encrypted"),
                _tr("Passwords and member records cross the network to {} unencrypted. Ask the administrator to "
                    "turn on TLS at the server, then set this profile to always encrypt.").format(server))
    text = _tr("Encrypted ({})").format(facts.tls_version) if facts.tls_version else _tr("Encrypted")
    details = ", ".join(part for part in (facts.tls_version, facts.tls_cipher) if part)
    tip = _tr("The connection to {} is encrypted").format(server) + (f" ({details})." if details else ".")
    if profile.sslmode == "verify-full":
        tip += " " + _tr("The server's certificate was checked against the CA certificate in the profile.")
    elif profile.sslmode == "verify-ca" or (profile.sslmode == "require" and profile.sslrootcert):
        tip += " " + _tr("The server's certificate was checked against the CA, but not its host name.")
    else:
        tip += " " + _tr("The server's certificate was not checked; set the profile to check it to be sure this "
                         "is the hall's server.")
    return text, tip


class MainWindow(QMainWindow):
    switch_user_requested = Signal()

    def __init__(self, runner: TaskRunner, hall: HallConnection, settings: UiSettings) -> None:
        super().__init__()
        self.runner = runner
        self.hall = hall
        self.settings = settings
        facts = hall.facts
        formatting.set_hall_zone(facts.time_zone or DEFAULT_TIME_ZONE)
        self.setWindowTitle(self.tr("UnionCore Desktop — {}").format(facts.hall_name))
        runner.default_parent = self

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setFixedWidth(190)
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.stack = QStackedWidget()
        self.screens: dict[str, QWidget] = {
            "members": MembersScreen(runner, hall, settings),
            "employers": EmployersScreen(runner, hall, settings),
            "books": BooksScreen(runner, hall, settings),
        }
        self.screens["requests"] = RequestsScreen(runner, hall, settings)
        self.screens["referral"] = ReferralScreen(runner, hall, settings)
        self.screens["reports"] = ReportsScreen(runner, hall, settings)
        self.screens["dues"] = DuesScreen(runner, hall, settings)  # tabs follow the login's roles
        self.screens["setup"] = setup = SetupScreen(runner, hall, settings)
        setup.books_requested.connect(lambda: self.open_area("books"))
        self.screens["request_history"] = RequestHistoryScreen(runner, hall, settings)
        for key, screen in self.screens.items():
            text, icon = AREAS[key]
            QListWidgetItem(icons.get(icon), self.tr(text), self.nav)
            self.stack.addWidget(screen)
        self.nav.currentRowChanged.connect(self._on_nav_current_row_changed)
        self.nav.activated.connect(lambda _index: self.focus_area())
        self.screens["members"].post_payment_requested.connect(self.post_payment)  # type: ignore[attr-defined]

        self.banner = QWidget()
        self.banner.setObjectName("connectionBannerBox")
        self.banner_label = QLabel()
        self.banner_label.setObjectName("connectionBanner")
        self.banner_label.setWordWrap(True)
        retry = QPushButton(self.tr("Retry now"))
        retry.clicked.connect(self._on_retry_clicked)
        banner_layout = QHBoxLayout(self.banner)
        banner_layout.setContentsMargins(0, 0, 0, 0)
        banner_layout.addWidget(self.banner_label, 1)
        banner_layout.addWidget(retry)
        self.banner.setVisible(False)

        body = QHBoxLayout()
        body.addWidget(self.nav)
        body.addWidget(self.stack, 1)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.banner)
        layout.addLayout(body, 1)
        self.setCentralWidget(central)

        roles = ", ".join(sorted(r.replace("_", " ") for r in facts.roles))
        self.statusBar().addPermanentWidget(QLabel(f"{self._server_text()} · {facts.database}"))
        self.statusBar().addPermanentWidget(QLabel(f"{facts.full_name} ({facts.user}) · {roles}"))
        self.encryption_label = QLabel()
        self.encryption_label.setObjectName("encryptionLabel")
        text, tip = connection_security(facts, hall.profile, self._server_text())
        self.encryption_label.setText(text)
        self.encryption_label.setToolTip(tip)
        self.statusBar().addPermanentWidget(self.encryption_label)

        self._reconnect_timer = QTimer(self)
        self._reconnect_timer.setInterval(RECONNECT_INTERVAL_MS)
        self._reconnect_timer.timeout.connect(self._on_reconnect_timer_timeout)
        runner.connection_lost.connect(self._on_runner_connection_lost)
        events.hub().connection_state_changed.connect(self._on_hub_connection_state_changed)

        self._shown = False
        self._leaving = False
        self._build_menus()
        self.nav.setCurrentRow(0)
        # a hall not yet set up opens on its checklist, unless another area was asked for meanwhile
        setup.first_run(lambda: self.nav.currentRow() == 0 and self.open_area("setup"))
        self.resize(1360, 820)
        settings.restore_window("main", self)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        switch = QAction(self.tr("Switch &user…"), self)
        switch.triggered.connect(self._on_switch_user_triggered)
        file_menu.addAction(switch)
        self.change_password_action = QAction(self.tr("Change &password…"), self)
        self.change_password_action.triggered.connect(self.change_password)
        file_menu.addAction(self.change_password_action)
        self.staff_action: QAction | None = None
        if STAFF_ADMINS & self.hall.facts.roles:
            self.staff_action = QAction(self.tr("&Staff logins…"), self)
            self.staff_action.triggered.connect(self.manage_staff)
            file_menu.addAction(self.staff_action)
        self.import_action: QAction | None = None
        if DATA_IMPORTERS & self.hall.facts.roles:
            self.import_action = QAction(self.tr("&Import from another system…"), self)
            self.import_action.triggered.connect(self.import_records)
            file_menu.addAction(self.import_action)
        file_menu.addSeparator()
        quit_action = QAction(self.tr("&Quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        go_menu = self.menuBar().addMenu(self.tr("&Go"))
        self.find_action = QAction(self.tr("&Find in this area"), self)
        self.find_action.setShortcut(QKeySequence.StandardKey.Find)
        self.find_action.triggered.connect(self.focus_search)
        go_menu.addAction(self.find_action)
        go_menu.addSeparator()
        for row, (_key, (text, _icon)) in enumerate(AREAS.items()):
            action = QAction(self.tr(text), self)
            action.setShortcut(QKeySequence(f"Ctrl+{row + 1}"))
            action.triggered.connect(lambda _checked=False, r=row: self.nav.setCurrentRow(r))
            go_menu.addAction(action)
        hall_menu = self.menuBar().addMenu(self.tr("H&all"))
        setup = self.screens["setup"]
        assert isinstance(setup, SetupScreen)
        hall_menu.addActions(setup.menu_actions(self, partial(self.open_area, "setup")))
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        about = QAction(self.tr("&About UnionCore Desktop"), self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    def show_about(self) -> QWidget:
        from unioncore_desktop.gui.about import AboutDialog  # compiled form: built at start-up

        dialog = AboutDialog(self.hall.facts, self._server_text(), self)
        dialog.open()
        return dialog

    def change_password(self) -> QWidget:
        from unioncore_desktop.gui.change_password import ChangePasswordDialog

        dialog = ChangePasswordDialog(self.runner, self.hall, self)
        dialog.open()
        return dialog

    def manage_staff(self) -> QWidget:
        from unioncore_desktop.gui.staff.screen import StaffDialog  # compiled form: built at start-up

        dialog = StaffDialog(self.runner, self.hall, self)
        dialog.open()
        return dialog

    def import_records(self) -> QWidget:
        from unioncore_desktop.gui.imports.wizard import open_import_wizard  # compiled form: built at start-up

        return open_import_wizard(self, self.runner, self.hall, self.settings)

    def _server_text(self) -> str:
        host = self.hall.profile.host
        return "local demo server" if host.startswith("/") else f"{host}:{self.hall.profile.port}"

    def post_payment(self, member: PostingLookupRow) -> None:
        """A clerk's "Post a payment" on the member record: the posting screen, with that member on the line."""
        dues = self.open_area("dues")
        if isinstance(dues, DuesScreen):
            dues.post_for(member)

    # --- areas, focus and typed work ---------------------------------------------------------------------

    def _on_nav_current_row_changed(self, row: int) -> None:
        """Another area: the one being left is asked about its typed work first; No stays where it was."""
        leaving = self.stack.currentWidget()
        if row != self.stack.currentIndex() and leaving is not None and not confirm_leaving(leaving):
            self.nav.blockSignals(True)
            self.nav.setCurrentRow(self.stack.currentIndex())
            self.nav.blockSignals(False)
            return
        self.stack.setCurrentIndex(row)
        if not self.nav.hasFocus():  # arrowing through the list stays in it; Enter there goes into the area
            self.focus_area()

    def focus_area(self) -> None:
        """Focus where the area's work starts (its own `focus_start`, else its search), never the navigation."""
        screen = self.stack.currentWidget()
        start = getattr(screen, "focus_start", None)
        if callable(start):
            start()
        else:
            self.focus_search()

    def focus_search(self) -> None:
        """Ctrl+F in any area: its search field (its own `focus_search` when it has one), text selected."""
        screen = self.stack.currentWidget()
        own = getattr(screen, "focus_search", None)
        if callable(own):
            own()
            return
        edit = getattr(getattr(screen, "panel", None), "search_edit", None)
        if screen is not None and isinstance(edit, QLineEdit) and edit.isVisibleTo(screen):
            edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
            edit.selectAll()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if not self._shown:
            self._shown = True
            QTimer.singleShot(0, self, self.focus_area)  # not after the window is gone

    def confirm_discard_all(self) -> bool:
        """Every area asked about its typed work, the one on screen first; False as soon as one is kept."""
        current = self.stack.currentWidget()
        others = [s for s in self.screens.values() if s is not current]
        for screen in ([current] if current is not None else []) + others:
            if not confirm_leaving(screen):
                self.open_area(next(k for k, s in self.screens.items() if s is screen))
                return False
        return True

    def _on_switch_user_triggered(self) -> None:
        if self.confirm_discard_all():
            self.switch_user_requested.emit()

    def open_area(self, key: str) -> QWidget:
        self.nav.setCurrentRow(list(self.screens).index(key))
        return self.screens[key]

    # --- connection ---------------------------------------------------------------------------------------

    def _on_runner_connection_lost(self, message: str) -> None:
        self.banner_label.setText(self.tr("Connection to the server lost — {} Reconnecting… "
                                          "Nothing you typed is lost.").format(message))
        self.banner.setVisible(True)
        self._reconnect_timer.start()

    def _on_reconnect_timer_timeout(self) -> None:
        self.runner.query(self.hall.ping, parent=self, key="reconnect", success=self._on_reconnected,
                          failure=lambda _exc: None, name="reconnect")

    def _on_retry_clicked(self) -> None:
        self._on_reconnect_timer_timeout()

    def _on_reconnected(self, _ok: bool) -> None:
        self._on_hub_connection_state_changed(True)

    def _on_hub_connection_state_changed(self, connected: bool) -> None:
        if connected and self.banner.isVisible():
            self._reconnect_timer.stop()
            self.banner.setVisible(False)
            for screen in self.screens.values():  # lists may be stale after an outage
                panel = getattr(screen, "panel", None)
                screen.search(panel.search_text() if panel is not None else "")  # type: ignore[attr-defined]

    def leave(self) -> None:
        """Close for another login: the user was asked at Switch user, and a login logged out elsewhere cannot
        save anything; a refused close must not leave this window open over a closed connection."""
        self._leaving = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if not self._leaving and not self.confirm_discard_all():
            event.ignore()
            return
        for screen in self.screens.values():
            screen.save_state()  # type: ignore[attr-defined]
        self.settings.save_window("main", self)
        self.settings.sync()
        super().closeEvent(event)
