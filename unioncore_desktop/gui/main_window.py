"""The main window: navigation to every area, the status bar, and the banner shown while the server is away."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QCoreApplication, QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from unioncore_desktop.domain.queries.fragments import DEFAULT_HALL_ZONE
from unioncore_desktop.gui import events, icons, theme
from unioncore_desktop.gui.areas import AREAS, area_class
from unioncore_desktop.gui.itemmodels import formatting
from unioncore_desktop.gui.roles import DATA_IMPORTERS, STAFF_ADMINS
from unioncore_desktop.gui.settings import UiSettings
from unioncore_desktop.gui.setup import menu as hall_menu
from unioncore_desktop.gui.shortcuts import binds
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets import accessible, copy_rows
from unioncore_desktop.gui.widgets.typed_work import confirm_leaving

if TYPE_CHECKING:
    from unioncore_desktop.db.connection import HallConnection
    from unioncore_desktop.db.preflight import Preflight
    from unioncore_desktop.db.profile import ConnectionProfile
    from unioncore_desktop.domain.queries.dues import PostingLookupRow
    from unioncore_desktop.gui.dues.screen import DuesScreen
    from unioncore_desktop.gui.setup.screen import SetupScreen

RECONNECT_INTERVAL_MS = 3000
NAV_ICON = 20
NAV_PADDING = 40  # the style sheet's item padding and selection bar, both sides


def _tr(text: str) -> str:
    return QCoreApplication.translate("MainWindow", text)


class Areas(Mapping[str, QWidget]):
    """The window's areas by key, in the navigation's order; an area is built the first time it is asked for.
    `built()` gives only those built so far (asking every area about typed work must not build the rest)."""

    def __init__(self, build: Callable[[str], QWidget]) -> None:
        self._build = build
        self._built: dict[str, QWidget] = {}

    def __getitem__(self, key: str) -> QWidget:
        if key not in AREAS:
            raise KeyError(key)
        if key not in self._built:
            self._built[key] = self._build(key)
        return self._built[key]

    def __iter__(self) -> Iterator[str]:
        return iter(AREAS)

    def __len__(self) -> int:
        return len(AREAS)

    def is_built(self, key: str) -> bool:
        return key in self._built

    def built(self) -> list[QWidget]:
        return [self._built[key] for key in AREAS if key in self._built]


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


def fit_to_screen(window: QWidget) -> None:
    """Shrink and move the window onto the screen's free area: 1,360 x 820 is more than a laptop shows at
    150 % scaling, and a size saved on a bigger monitor may be too."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return
    free = screen.availableGeometry()
    frame = window.frameGeometry()
    extra_w, extra_h = frame.width() - window.width(), frame.height() - window.height()
    width = min(window.width(), free.width() - extra_w)
    height = min(window.height(), free.height() - extra_h)
    if (width, height) != (window.width(), window.height()):
        window.resize(width, height)
    frame = window.frameGeometry()
    left = min(max(frame.left(), free.left()), free.right() - frame.width() + 1)
    top = min(max(frame.top(), free.top()), free.bottom() - frame.height() + 1)
    if (left, top) != (frame.left(), frame.top()):
        window.move(left, top)


class MainWindow(QMainWindow):
    switch_user_requested = Signal()

    def __init__(self, runner: TaskRunner, hall: HallConnection, settings: UiSettings,
                 area: str = "members") -> None:
        """Opens on `area`, the only one built now; the others are built when first shown."""
        super().__init__()
        self.runner = runner
        self.hall = hall
        self.settings = settings
        facts = hall.facts
        formatting.set_hall_zone(facts.time_zone or DEFAULT_HALL_ZONE)
        runner.default_parent = self

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setIconSize(QSize(NAV_ICON, NAV_ICON))
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.stack = QStackedWidget()
        self.screens = Areas(self._build_area)
        for key, (text, icon) in AREAS.items():
            QListWidgetItem(icons.get(icon), self.tr(text), self.nav)
            placeholder = QWidget()  # the area itself is built when first shown
            placeholder.setObjectName(f"{key}Placeholder")
            self.stack.addWidget(placeholder)
        self._size_navigation()
        self.nav.currentRowChanged.connect(self._on_nav_current_row_changed)
        self.nav.activated.connect(lambda _index: self.focus_area())

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

        # On a screen smaller than an area needs (150 % scaling on a laptop, large fonts) the area scrolls
        # instead of the window growing past the screen or squashing its fields.
        self.area_scroll = QScrollArea()
        self.area_scroll.setObjectName("areaScroll")
        self.area_scroll.setWidgetResizable(True)
        self.area_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.area_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.area_scroll.setWidget(self.stack)
        body = QHBoxLayout()
        body.addWidget(self.nav)
        body.addWidget(self.area_scroll, 1)
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
        self.connection_label = QLabel()
        self.connection_label.setObjectName("connectionIndicator")
        self.statusBar().addPermanentWidget(self.connection_label)
        self.show_connected(True)

        self._reconnect_timer = QTimer(self)
        self._reconnect_timer.setInterval(RECONNECT_INTERVAL_MS)
        self._reconnect_timer.timeout.connect(self._on_reconnect_timer_timeout)
        runner.connection_lost.connect(self._on_runner_connection_lost)
        events.hub().connection_state_changed.connect(self._on_hub_connection_state_changed)

        self._shown = False
        self._leaving = False
        self._build_menus()
        self.nav.setCurrentRow(list(AREAS).index(area))
        self._on_area_changed(self.nav.currentRow())
        # a hall not yet set up opens on its checklist, unless another area was asked for meanwhile
        opened_on = self.nav.currentRow()

        def open_checklist() -> None:
            if self.nav.currentRow() == opened_on:
                self._open_setup().show_checklist()

        hall_menu.first_run(runner, hall, self, open_checklist)
        self.resize(1360, 820)
        settings.restore_window("main", self)
        fit_to_screen(self)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._on_focus_changed)

    def _build_area(self, key: str) -> QWidget:
        """The area's widget in place of its placeholder, wired to the window."""
        screen = area_class(key)(self.runner, self.hall, self.settings)
        index = list(AREAS).index(key)
        placeholder = self.stack.widget(index)
        assert placeholder is not None
        current = self.stack.currentIndex()
        self.stack.insertWidget(index, screen)
        self.stack.removeWidget(placeholder)
        placeholder.deleteLater()
        self.stack.setCurrentIndex(current)
        if key == "members":
            screen.post_payment_requested.connect(self.post_payment)  # type: ignore[attr-defined]
        elif key == "setup":
            screen.books_requested.connect(lambda: self.open_area("books"))  # type: ignore[attr-defined]
        accessible.name_inputs(screen)
        return screen

    def _open_setup(self) -> SetupScreen:
        return cast("SetupScreen", self.open_area("setup"))

    def _size_navigation(self) -> None:
        """Rows and width from the font in use: large fonts must neither cut "Morning referral" nor let the
        rows' padding (the style sheet's) overlap."""
        metrics = self.nav.fontMetrics()
        longest = max(metrics.horizontalAdvance(self.nav.item(i).text()) for i in range(self.nav.count()))
        row = QSize(longest + NAV_ICON + NAV_PADDING, max(metrics.height(), NAV_ICON) + NAV_PADDING // 2)
        for i in range(self.nav.count()):
            self.nav.item(i).setSizeHint(row)
        self.nav.setFixedWidth(max(190, row.width() + 16))

    def _on_focus_changed(self, _old: QWidget | None, now: QWidget | None) -> None:
        if now is not None and self.stack.isAncestorOf(now):
            self.area_scroll.ensureWidgetVisible(now)  # a field tabbed to is never left under the fold

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
        self._build_edit_and_view_menus()
        go_menu = self.menuBar().addMenu(self.tr("&Go"))
        for row, (_key, (text, _icon)) in enumerate(AREAS.items()):
            action = QAction(self.tr(text), self)
            action.setShortcut(QKeySequence(f"Ctrl+{row + 1}"))
            action.triggered.connect(lambda _checked=False, r=row: self.nav.setCurrentRow(r))
            go_menu.addAction(action)
        hall = self.menuBar().addMenu(self.tr("Ha&ll"))
        hall.addActions(hall_menu.hall_menu_actions(self, frozenset(self.hall.facts.roles), self._open_setup))
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        shortcuts = QAction(self.tr("&Keyboard shortcuts"), self)
        shortcuts.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
        shortcuts.triggered.connect(self.show_shortcuts)
        help_menu.addAction(shortcuts)
        about = QAction(self.tr("&About UnionCore Desktop"), self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    def _build_edit_and_view_menus(self) -> None:
        """Edit and View act on the area shown. Copy and Select all name their keys without binding them: the
        focused list or field owns Ctrl+C and Ctrl+A. Find and Refresh step aside on a screen that binds its own."""
        edit_menu = self.menuBar().addMenu(self.tr("&Edit"))
        copy = QAction(self.tr("&Copy") + "\t" + QKeySequence(QKeySequence.StandardKey.Copy).toString(
            QKeySequence.SequenceFormat.NativeText), self)
        copy.triggered.connect(self.copy_focused)
        edit_menu.addAction(copy)
        select_all = QAction(self.tr("Select &all") + "\t" + QKeySequence(
            QKeySequence.StandardKey.SelectAll).toString(QKeySequence.SequenceFormat.NativeText), self)
        select_all.triggered.connect(self.select_all_focused)
        edit_menu.addAction(select_all)
        edit_menu.addSeparator()
        self.find_action = QAction(self.tr("&Find in this area"), self)
        self.find_action.triggered.connect(self.focus_search)
        edit_menu.addAction(self.find_action)
        view_menu = self.menuBar().addMenu(self.tr("&View"))
        self.refresh_action = QAction(self.tr("&Refresh"), self)
        self.refresh_action.triggered.connect(self.refresh_area)
        view_menu.addAction(self.refresh_action)
        navigation = QAction(self.tr("&Navigation list"), self)
        navigation.setCheckable(True)
        navigation.setChecked(True)
        navigation.toggled.connect(self.nav.setVisible)
        view_menu.addAction(navigation)
        self._window_keys = {self.find_action: QKeySequence(QKeySequence.StandardKey.Find),
                             self.refresh_action: QKeySequence(QKeySequence.StandardKey.Refresh)}

    def _on_area_changed(self, row: int) -> None:
        key = list(self.screens)[row] if 0 <= row < len(self.screens) else None
        area = self.tr(AREAS[key][0]) if key else ""
        facts = self.hall.facts
        self.setWindowTitle(self.tr("{area} — {name} ({user}) — UnionCore Desktop — {hall}").format(
            area=area, name=facts.full_name, user=facts.user, hall=facts.hall_name))
        screen = self.screens[key] if key else None
        for action, keys in self._window_keys.items():
            # two bindings of one key in a window make Qt fire neither
            action.setShortcut(QKeySequence() if screen is not None and binds(screen, keys) else keys)

    def current_screen(self) -> QWidget:
        return self.screens[list(self.screens)[max(self.nav.currentRow(), 0)]]

    def copy_focused(self) -> None:
        focus = QApplication.focusWidget()
        view = focus if isinstance(focus, QAbstractItemView) else None
        if view is not None:
            copy_rows.copy_selected(view)
        elif focus is not None and hasattr(focus, "copy"):
            focus.copy()

    def select_all_focused(self) -> None:
        focus = QApplication.focusWidget()
        if focus is not None and hasattr(focus, "selectAll"):
            focus.selectAll()

    def refresh_area(self) -> None:
        screen = self.current_screen()
        panel = getattr(screen, "panel", None)
        screen.search(panel.search_text() if panel is not None else "")  # type: ignore[attr-defined]

    def show_shortcuts(self) -> QWidget:
        """Every key this window and its areas bind, read from the widgets themselves so the list stays true."""
        from unioncore_desktop.gui.shortcuts import ShortcutsDialog

        dialog = ShortcutsDialog(self, self)
        dialog.open()
        return dialog

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
        cast("DuesScreen", self.open_area("dues")).post_for(member)

    # --- areas, focus and typed work ---------------------------------------------------------------------

    def _on_nav_current_row_changed(self, row: int) -> None:
        """Another area: the one being left is asked about its typed work first; No stays where it was."""
        leaving = self.stack.currentWidget()
        if row != self.stack.currentIndex() and leaving is not None and not confirm_leaving(leaving):
            self.nav.blockSignals(True)
            self.nav.setCurrentRow(self.stack.currentIndex())
            self.nav.blockSignals(False)
            return
        if 0 <= row < len(AREAS):
            self.screens[list(AREAS)[row]]  # built the first time it is shown
        self.stack.setCurrentIndex(row)
        self._on_area_changed(row)
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
        others = [s for s in self.screens.built() if s is not current]
        for screen in ([current] if current is not None else []) + others:
            if not confirm_leaving(screen):
                self.stack.setCurrentWidget(screen)
                self.nav.setCurrentRow(self.stack.currentIndex())
                return False
        return True

    def _on_switch_user_triggered(self) -> None:
        if self.confirm_discard_all():
            self.switch_user_requested.emit()

    def open_area(self, key: str) -> QWidget:
        self.nav.setCurrentRow(list(self.screens).index(key))
        return self.screens[key]

    # --- connection ---------------------------------------------------------------------------------------

    def show_connected(self, connected: bool) -> None:
        """The status bar's indicator, always there: green while the server answers, red while it does not."""
        self.connected = connected
        mark = theme.css("#15803d" if connected else "#b91c1c", self.palette())
        text = self.tr("Connected") if connected else self.tr("Server unreachable")
        self.connection_label.setText(f"<span style='color:{mark}'>●</span> {text}")
        self.connection_label.setAccessibleName(text)
        self.connection_label.setToolTip(
            self.tr("The server answers; other workstations' changes show here as they happen.") if connected else
            self.tr("The server does not answer: lists and the morning board may be out of date until it is "
                    "back."))

    def _on_runner_connection_lost(self, message: str) -> None:
        self.show_connected(False)
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
        self.show_connected(connected)
        if connected and self.banner.isVisible():
            self._reconnect_timer.stop()
            self.banner.setVisible(False)
            for screen in self.screens.built():  # lists may be stale after an outage
                panel = getattr(screen, "panel", None)
                screen.search(panel.search_text() if panel is not None else "")  # type: ignore[attr-defined]

    def leave(self) -> None:
        """Close for another login: the user was asked at Switch user, and a login logged out elsewhere cannot
        save anything; a refused close must not leave this window open over a closed connection."""
        self._leaving = True
        self.close()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.FontChange and hasattr(self, "nav"):
            self._size_navigation()
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if not self._leaving and not self.confirm_discard_all():
            event.ignore()
            return
        for screen in self.screens.built():
            screen.save_state()  # type: ignore[attr-defined]
        self.settings.save_window("main", self)
        self.settings.sync()
        super().closeEvent(event)
