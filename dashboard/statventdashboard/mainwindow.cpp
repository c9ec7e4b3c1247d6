// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include <statventdashboard/mainwindow.h>

#include <statventdashboard/chartgrid.h>
#include <statventdashboard/dashboardcontroller.h>
#include <statventdashboard/dashboardoptions.h>
#include <statventdashboard/distributionpanel.h>
#include <statventdashboard/settingskeys.h>
#include <statventdashboard/stattablepane.h>

#include <QAction>
#include <QCloseEvent>
#include <QComboBox>
#include <QCoreApplication>
#include <QFileDialog>
#include <QImageWriter>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

namespace StatventDashboard {

using namespace Qt::StringLiterals;
using std::chrono::milliseconds;

namespace {

constexpr int StatusMessageMs = 10000;

bool savePng(const QPixmap &pixmap, const QString &file, QString *error)
{
    QImageWriter writer(file, "png");
    if (writer.write(pixmap.toImage()))
        return true;
    if (error)
        *error = u"cannot write "_s + file + u": "_s + writer.errorString();
    return false;
}

// The colour and sign shown before the connection status: hollow until the service answers.
std::pair<QString, QString> connectionMark(DashboardController::Connection connection)
{
    using Connection = DashboardController::Connection;
    switch (connection) {
    case Connection::NotConnected:
    case Connection::Connecting:
        return {u"#6a737d"_s, u"○"_s};
    case Connection::Connected:
        return {u"#1a7f37"_s, u"●"_s};
    case Connection::Waiting:
        return {u"#b26a00"_s, u"●"_s};
    case Connection::Failing:
        return {u"#c62828"_s, u"●"_s};
    case Connection::Paused:
        return {u"#6a737d"_s, u"❚❚"_s};
    }
    Q_UNREACHABLE();
}

} // namespace

class MainWindowPrivate
{
public:
    MainWindowPrivate(MainWindow *window, DashboardController *shown, QSettings *store)
        : q(window)
        , controller(shown)
        , settings(store)
    {
    }

    void buildToolBar();
    void buildCentralWidget();
    void buildStatusBar();
    void connectController();

    void showUrl();
    void showInterval();
    void showWindowMinutes();
    void showPaused();
    void showView();
    void showConnection();
    void showPollResult();
    void showProcessChooser();
    void showNote();
    void countPollForScreenshot();
    void refreshDistribution();
    void applyUrlFromEditor();

    MainWindow *q;
    DashboardController *controller;
    QSettings *settings;

    // Made by buildToolBar(), buildCentralWidget() and buildStatusBar(), which MainWindow's
    // constructor calls before anything else; owned by the window.
    QLineEdit *urlEdit;
    QSpinBox *intervalSpin;
    QComboBox *windowCombo;
    QComboBox *processCombo;
    QAction *pauseAction;
    StatTablePane *tablePane;
    QLabel *note;
    ChartGrid *charts;
    DistributionPanel *distribution;
    QTabWidget *views;
    QSplitter *splitter;
    QLabel *stateLabel;
    QLabel *updatedLabel;
    QLabel *processesLabel;

    int screenshotPolls = 0;
    QString screenshotFile;
};

void MainWindowPrivate::buildToolBar()
{
    auto *bar = q->addToolBar(u"Service"_s);
    bar->setObjectName(u"serviceToolBar"_s);
    bar->setMovable(false);

    bar->addWidget(new QLabel(u" Service "_s));
    urlEdit = new QLineEdit;
    urlEdit->setObjectName(u"urlEdit"_s);
    urlEdit->setMinimumWidth(300);
    urlEdit->setToolTip(u"statvent-web's stats URL; press Enter to connect"_s);
    QObject::connect(urlEdit, &QLineEdit::returnPressed, q, [this] { applyUrlFromEditor(); });
    bar->addWidget(urlEdit);

    bar->addWidget(new QLabel(u"  every "_s));
    intervalSpin = new QSpinBox;
    intervalSpin->setRange(DashboardOptions::MinIntervalMs, DashboardOptions::MaxIntervalMs);
    intervalSpin->setSingleStep(100);
    intervalSpin->setSuffix(u" ms"_s);
    QObject::connect(intervalSpin, &QSpinBox::valueChanged, controller,
                     [this](int ms) { controller->setInterval(milliseconds(ms)); });
    bar->addWidget(intervalSpin);

    bar->addWidget(new QLabel(u"  window "_s));
    windowCombo = new QComboBox;
    for (int minutes : DashboardOptions::windowChoices())
        windowCombo->addItem(u"%1 min"_s.arg(minutes), minutes);
    QObject::connect(windowCombo, &QComboBox::currentIndexChanged, controller,
                     [this] { controller->setWindowMinutes(windowCombo->currentData().toInt()); });
    bar->addWidget(windowCombo);

    bar->addWidget(new QLabel(u"  show "_s));
    processCombo = new QComboBox;
    processCombo->setObjectName(u"processChooser"_s);
    processCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    processCombo->addItem(u"All processes (summed)"_s, qint64(0));
    QObject::connect(processCombo, &QComboBox::activated, controller, [this](int index) {
        controller->showProcess(processCombo->itemData(index).toLongLong());
    });
    bar->addWidget(processCombo);
    bar->addSeparator();

    pauseAction = bar->addAction(u"Pause"_s);
    pauseAction->setCheckable(true);
    pauseAction->setShortcut(Qt::Key_Space);
    pauseAction->setToolTip(u"Stop polling; the charts keep what they show (Space)"_s);
    QObject::connect(pauseAction, &QAction::toggled, controller, &DashboardController::setPaused);

    QAction *exportAction = bar->addAction(u"Export PNG…"_s);
    exportAction->setToolTip(u"Save the charts in view as a PNG image"_s);
    QObject::connect(exportAction, &QAction::triggered, q, [this] {
        const QString file = QFileDialog::getSaveFileName(
            q, u"Export charts"_s, u"statvent-charts.png"_s, u"PNG images (*.png)"_s);
        QString error;
        if (!file.isEmpty() && !q->exportCharts(file, &error))
            q->statusBar()->showMessage(error, StatusMessageMs);
    });
}

void MainWindowPrivate::buildCentralWidget()
{
    tablePane = new StatTablePane(controller);

    auto *chartPane = new QWidget;
    auto *chartLayout = new QVBoxLayout(chartPane);
    chartLayout->setContentsMargins(0, 6, 6, 6);
    note = new QLabel;
    note->setWordWrap(true);
    note->setObjectName(u"viewNote"_s);
    chartLayout->addWidget(note);
    charts = new ChartGrid(controller);
    charts->setObjectName(u"charts"_s);
    distribution = new DistributionPanel(controller);
    distribution->setObjectName(u"distribution"_s);
    views = new QTabWidget;
    views->setObjectName(u"views"_s);
    views->setDocumentMode(true);
    views->addTab(charts, u"Charts"_s);
    views->addTab(distribution, u"Distribution"_s);
    views->setTabToolTip(1, u"The histogram of one sample window, with its percentiles"_s);
    // Drawn only while in view: it catches up when its tab is chosen.
    QObject::connect(views, &QTabWidget::currentChanged, distribution,
                     [this] { refreshDistribution(); });
    chartLayout->addWidget(views, 1);

    splitter = new QSplitter;
    splitter->setObjectName(u"splitter"_s);
    splitter->addWidget(tablePane);
    splitter->addWidget(chartPane);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({400, 880});
    q->setCentralWidget(splitter);
}

void MainWindowPrivate::buildStatusBar()
{
    stateLabel = new QLabel;
    stateLabel->setObjectName(u"connectionStatus"_s);
    updatedLabel = new QLabel;
    updatedLabel->setObjectName(u"lastUpdate"_s);
    processesLabel = new QLabel;
    processesLabel->setObjectName(u"processCount"_s);
    q->statusBar()->addWidget(stateLabel, 1);
    q->statusBar()->addPermanentWidget(processesLabel);
    q->statusBar()->addPermanentWidget(updatedLabel);
}

void MainWindowPrivate::connectController()
{
    auto *c = controller;
    QObject::connect(c, &DashboardController::urlChanged, q, [this] { showUrl(); });
    QObject::connect(c, &DashboardController::intervalChanged, q, [this] { showInterval(); });
    QObject::connect(c, &DashboardController::windowMinutesChanged, q, [this] {
        showWindowMinutes();
        charts->refreshCharts();
    });
    QObject::connect(c, &DashboardController::pausedChanged, q, [this] { showPaused(); });
    QObject::connect(c, &DashboardController::selectedStatsChanged, q, [this] {
        tablePane->showSelection();
        charts->updateCharts();
        charts->refreshCharts();
    });
    QObject::connect(c, &DashboardController::offeredProcessesChanged, q,
                     [this] { showProcessChooser(); });
    QObject::connect(c, &DashboardController::shownProcessChanged, q,
                     [this] { showProcessChooser(); });
    QObject::connect(c, &DashboardController::connectionChanged, q, [this] { showConnection(); });
    QObject::connect(c, &DashboardController::viewChanged, q, [this] { showView(); });
    QObject::connect(c, &DashboardController::refreshed, q, [this] { showPollResult(); });
}

void MainWindowPrivate::showUrl()
{
    urlEdit->setText(controller->url().toString());
    q->setWindowTitle(u"Statvent dashboard — "_s + controller->url().authority());
}

void MainWindowPrivate::showInterval()
{
    const QSignalBlocker blocker(intervalSpin);
    intervalSpin->setValue(int(controller->interval().count()));
}

void MainWindowPrivate::showWindowMinutes()
{
    const QSignalBlocker blocker(windowCombo);
    windowCombo->setCurrentIndex(windowCombo->findData(controller->windowMinutes()));
}

void MainWindowPrivate::showPaused()
{
    const QSignalBlocker blocker(pauseAction);
    pauseAction->setChecked(controller->isPaused());
    pauseAction->setText(controller->isPaused() ? u"Resume"_s : u"Pause"_s);
}

void MainWindowPrivate::showView()
{
    tablePane->refresh();
    charts->updateCharts();
    charts->refreshCharts();
    showNote();
    refreshDistribution();
}

void MainWindowPrivate::showConnection()
{
    const auto [color, mark] = connectionMark(controller->connection());
    const QString text = controller->connectionStatus();
    const QString detail = controller->connectionDetail();
    stateLabel->setText(
        u"<span style='color:%1'>%2</span> %3"_s.arg(color, mark, text.toHtmlEscaped()));
    stateLabel->setToolTip(detail.isEmpty() ? text : text + u'\n' + detail);
}

void MainWindowPrivate::showPollResult()
{
    updatedLabel->setText(controller->lastUpdate());
    processesLabel->setText(controller->processSummary());
    refreshDistribution();
    countPollForScreenshot();
}

void MainWindowPrivate::refreshDistribution()
{
    if (views->currentWidget() == distribution)
        distribution->refresh();
}

void MainWindowPrivate::showProcessChooser()
{
    const QList<qint64> pids = controller->offeredProcesses();
    const qint64 shown = controller->shownProcess();
    processCombo->setEnabled(controller->canChooseProcess());
    const QSignalBlocker blocker(processCombo);
    while (processCombo->count() > 1)
        processCombo->removeItem(1);
    for (qint64 pid : pids) {
        const bool gone = controller->isShownProcessGone() && pid == shown;
        processCombo->addItem(
            u"Process %1%2"_s.arg(QString::number(pid), gone ? u" (gone)"_s : QString()), pid);
    }
    processCombo->setCurrentIndex(std::max(0, processCombo->findData(shown)));
}

void MainWindowPrivate::showNote()
{
    const QString text = controller->viewNote();
    if (text == note->text())
        return;
    note->setText(text);
    // Style sheets are costly to apply: only when the kind of note changes.
    const QString style = controller->viewNoteIsWarning()
        ? u"background: #fff4ce; border: 1px solid #e3c46b; border-radius: 3px; padding: 4px 8px; color: #5c4400;"_s
        : u"background: #eef3f8; border: 1px solid #c9d6e3; border-radius: 3px; padding: 4px 8px; color: #24292f;"_s;
    if (style != note->styleSheet())
        note->setStyleSheet(style);
}

void MainWindowPrivate::countPollForScreenshot()
{
    if (screenshotPolls <= 0 || --screenshotPolls > 0)
        return;
    // Let the charts finish the layout and scene updates queued by this refresh first.
    QTimer::singleShot(0, q, [this] {
        QCoreApplication::sendPostedEvents();
        QString error;
        const bool ok = savePng(q->grab(), screenshotFile, &error);
        Q_EMIT q->screenshotSaved(screenshotFile, ok, error);
    });
}

void MainWindowPrivate::applyUrlFromEditor()
{
    QString error;
    const QUrl url = DashboardOptions::parseUrl(urlEdit->text(), &error);
    if (url.isEmpty()) {
        q->statusBar()->showMessage(error, StatusMessageMs);
        return;
    }
    controller->setUrl(url);
}

MainWindow::MainWindow(DashboardController *controller, QSettings *settings, QWidget *parent)
    : QMainWindow(parent)
    , d(std::make_unique<MainWindowPrivate>(this, controller, settings))
{
    d->buildToolBar();
    d->buildCentralWidget();
    d->buildStatusBar();
    d->connectController();
    resize(1280, 820);
    if (settings) {
        controller->loadSettings(*settings);
        restoreGeometry(settings->value(SettingsKeys::Geometry).toByteArray());
        restoreState(settings->value(SettingsKeys::WindowState).toByteArray());
        d->splitter->restoreState(settings->value(SettingsKeys::Splitter).toByteArray());
    }
    // What the controller holds now: its signals carry only changes.
    d->showUrl();
    d->showInterval();
    d->showWindowMinutes();
    d->showPaused();
    d->showConnection();
    d->showProcessChooser();
    d->showPollResult();
    d->showView();
    d->tablePane->setFocus();
}

MainWindow::~MainWindow() = default;

bool MainWindow::exportCharts(const QString &file, QString *error)
{
    if (d->charts->charts().isEmpty()) {
        if (error)
            *error = u"there are no charts to export"_s;
        return false;
    }
    return savePng(d->charts->viewport()->grab(), file, error);
}

void MainWindow::saveScreenshotAfter(int polls, const QString &file)
{
    d->screenshotPolls = std::max(1, polls);
    d->screenshotFile = file;
}

void MainWindow::showDistribution(const QString &window)
{
    d->controller->setDistributionWindow(window);
    d->views->setCurrentWidget(d->distribution);
}

void MainWindow::saveSettings() const
{
    if (!d->settings)
        return;
    d->controller->saveSettings(*d->settings);
    d->settings->setValue(SettingsKeys::Geometry, saveGeometry());
    d->settings->setValue(SettingsKeys::WindowState, saveState());
    d->settings->setValue(SettingsKeys::Splitter, d->splitter->saveState());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    QMainWindow::closeEvent(event);
}

} // namespace StatventDashboard
