// SPDX-License-Identifier: MIT
#include "mainwindow.h"

#include "chartpanel.h"
#include "dashboardoptions.h"
#include "percentilegroups.h"
#include "stathistory.h"
#include "statspoller.h"
#include "stattablemodel.h"

#include <QAction>
#include <QCloseEvent>
#include <QComboBox>
#include <QCoreApplication>
#include <QDateTime>
#include <QFileDialog>
#include <QGridLayout>
#include <QHeaderView>
#include <QImageWriter>
#include <QLabel>
#include <QLineEdit>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;
using std::chrono::milliseconds;

namespace {

constexpr int ChartColumns = 2;
constexpr int ChartMinimumHeight = 280;
constexpr int ChartMaximumHeight = 560;

const auto SelectedRatesKey = u"selected:rates"_s;
const auto SelectedValuesKey = u"selected:values"_s;

bool savePng(const QPixmap &pixmap, const QString &file, QString *error)
{
    QImageWriter writer(file, "png");
    if (writer.write(pixmap.toImage()))
        return true;
    if (error)
        *error = u"cannot write "_s + file + u": "_s + writer.errorString();
    return false;
}

// The unit a stat's name spells out, as a word of its own (`latency_ms`, `rx.bytes`), if any.
QString unitOf(const QString &name)
{
    static const QHash<QString, QString> units = {
        {u"ns"_s, u"nanoseconds"_s}, {u"nanoseconds"_s, u"nanoseconds"_s},
        {u"us"_s, u"microseconds"_s}, {u"usec"_s, u"microseconds"_s}, {u"micros"_s, u"microseconds"_s},
        {u"microseconds"_s, u"microseconds"_s},
        {u"ms"_s, u"milliseconds"_s}, {u"msec"_s, u"milliseconds"_s}, {u"millis"_s, u"milliseconds"_s},
        {u"milliseconds"_s, u"milliseconds"_s},
        {u"s"_s, u"seconds"_s}, {u"sec"_s, u"seconds"_s}, {u"secs"_s, u"seconds"_s}, {u"seconds"_s, u"seconds"_s},
        {u"bytes"_s, u"bytes"_s},
    };
    qsizetype start = -1;
    for (qsizetype i = 0; i <= name.size(); ++i) {
        const bool inWord = i < name.size() && name[i].isLetterOrNumber();
        if (inWord && start < 0)
            start = i;
        if (!inWord && start >= 0) {
            const QString unit = units.value(name.sliced(start, i - start).toLower());
            if (!unit.isEmpty())
                return unit;
            start = -1;
        }
    }
    return {};
}

QString valueAxisTitle(const QString &unit, ChartPanel::Plot plot)
{
    if (plot == ChartPanel::Plot::Rates)
        return unit.isEmpty() ? u"per second"_s : unit + u" per second"_s;
    return unit.isEmpty() ? u"value"_s : unit;
}

} // namespace

class MainWindowPrivate
{
public:
    enum class State { Connecting, Connected, Failing, Paused };

    MainWindowPrivate(MainWindow *window, QSettings *store);
    void buildToolBar();
    void buildCentralWidget();
    void buildStatusBar();
    void loadSettings();

    void showDocument(const StatsDocument &document);
    void showFailure(const QString &reason, milliseconds retryIn);
    void refreshView();
    void updateCharts();
    void refreshCharts();
    void refreshStaleCharts();
    QList<ChartPanel::Line> selectionLines(ChartPanel::Plot plot) const;
    void placeCharts(const QStringList &order);
    void updateProcessChooser();
    void updateNote();
    void setState(State state, const QString &text, const QString &detail = {});
    void applyPendingSelection();
    void countPollForScreenshot();
    void applyUrlFromEditor();
    QString viewName() const;
    QStringList selectedRows() const;

    const StatHistory &history() const { return shownPid ? processHistory : summedHistory; }
    StatsDocument::Stats shownStats() const;

    MainWindow *q;
    QSettings *settings;
    StatsPoller *poller;
    StatHistory summedHistory;
    StatHistory processHistory; // the chosen process, since it was chosen
    qint64 shownPid = 0;
    StatsDocument lastDocument;
    PercentileGroups groups;
    quint64 groupsRevision = 0;
    bool groupsStale = true;
    QString stateText;

    StatTableModel *model = nullptr;
    QSortFilterProxyModel *proxy = nullptr;
    QTableView *table = nullptr;
    QLineEdit *urlEdit = nullptr;
    QSpinBox *intervalSpin = nullptr;
    QComboBox *windowCombo = nullptr;
    QComboBox *processCombo = nullptr;
    QAction *pauseAction = nullptr;
    QSplitter *splitter = nullptr;
    QLabel *note = nullptr;
    QScrollArea *scroll = nullptr;
    QGridLayout *grid = nullptr;
    QLabel *placeholder = nullptr;
    QLabel *stateLabel = nullptr;
    QLabel *updatedLabel = nullptr;
    QLabel *processesLabel = nullptr;

    QHash<QString, ChartPanel *> panels; // by key: a group's pattern, or one of the selection keys
    QSet<ChartPanel *> staleCharts; // out of view at the last refresh
    QStringList panelOrder;
    QStringList pendingSelection; // selected stats not (yet) in the table
    int screenshotPolls = 0;
    QString screenshotFile;
};

MainWindowPrivate::MainWindowPrivate(MainWindow *window, QSettings *store)
    : q(window)
    , settings(store)
    , poller(new StatsPoller(window))
{
    poller->setUrl(DashboardOptions::defaultUrl());
    QObject::connect(poller, &StatsPoller::documentReceived, q, [this](const StatsDocument &document) {
        showDocument(document);
    });
    QObject::connect(poller, &StatsPoller::pollFailed, q, [this](const QString &reason, milliseconds retryIn) {
        showFailure(reason, retryIn);
    });
}

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
    urlEdit->setText(poller->url().toString());
    QObject::connect(urlEdit, &QLineEdit::returnPressed, q, [this] { applyUrlFromEditor(); });
    bar->addWidget(urlEdit);

    bar->addWidget(new QLabel(u"  every "_s));
    intervalSpin = new QSpinBox;
    intervalSpin->setRange(DashboardOptions::MinIntervalMs, DashboardOptions::MaxIntervalMs);
    intervalSpin->setSingleStep(100);
    intervalSpin->setSuffix(u" ms"_s);
    intervalSpin->setValue(int(poller->interval().count()));
    QObject::connect(intervalSpin, &QSpinBox::valueChanged, q, [this](int ms) { poller->setInterval(milliseconds(ms)); });
    bar->addWidget(intervalSpin);

    bar->addWidget(new QLabel(u"  window "_s));
    windowCombo = new QComboBox;
    for (int minutes : DashboardOptions::windowChoices())
        windowCombo->addItem(u"%1 min"_s.arg(minutes), minutes);
    windowCombo->setCurrentIndex(windowCombo->findData(DashboardOptions::DefaultWindowMinutes));
    QObject::connect(windowCombo, &QComboBox::currentIndexChanged, q, [this] { refreshCharts(); });
    bar->addWidget(windowCombo);

    bar->addWidget(new QLabel(u"  show "_s));
    processCombo = new QComboBox;
    processCombo->setObjectName(u"processChooser"_s);
    processCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    processCombo->addItem(u"All processes (summed)"_s, qint64(0));
    QObject::connect(processCombo, &QComboBox::activated, q, [this](int index) {
        q->showProcess(processCombo->itemData(index).toLongLong());
    });
    bar->addWidget(processCombo);
    bar->addSeparator();

    pauseAction = bar->addAction(u"Pause"_s);
    pauseAction->setCheckable(true);
    pauseAction->setShortcut(Qt::Key_Space);
    pauseAction->setToolTip(u"Stop polling; the charts keep what they show (Space)"_s);
    QObject::connect(pauseAction, &QAction::toggled, q, [this](bool paused) { q->setPaused(paused); });

    QAction *exportAction = bar->addAction(u"Export PNG…"_s);
    exportAction->setToolTip(u"Save the charts in view as a PNG image"_s);
    QObject::connect(exportAction, &QAction::triggered, q, [this] {
        const QString file = QFileDialog::getSaveFileName(q, u"Export charts"_s, u"statvent-charts.png"_s,
                                                          u"PNG images (*.png)"_s);
        QString error;
        if (!file.isEmpty() && !q->exportCharts(file, &error))
            q->statusBar()->showMessage(error, 10000);
    });
}

void MainWindowPrivate::buildCentralWidget()
{
    auto *tablePane = new QWidget;
    auto *tableLayout = new QVBoxLayout(tablePane);
    tableLayout->setContentsMargins(6, 6, 0, 6);
    auto *filter = new QLineEdit;
    filter->setObjectName(u"statFilter"_s);
    filter->setPlaceholderText(u"Filter stats"_s);
    filter->setClearButtonEnabled(true);
    tableLayout->addWidget(filter);

    model = new StatTableModel(q);
    proxy = new QSortFilterProxyModel(q);
    proxy->setSourceModel(model);
    proxy->setSortRole(StatTableModel::SortRole);
    proxy->setFilterKeyColumn(StatTableModel::NameColumn);
    proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    QObject::connect(filter, &QLineEdit::textChanged, proxy, &QSortFilterProxyModel::setFilterFixedString);

    table = new QTableView;
    table->setObjectName(u"statTable"_s);
    table->setModel(proxy);
    table->setSortingEnabled(true);
    table->sortByColumn(StatTableModel::NameColumn, Qt::AscendingOrder);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    table->setAlternatingRowColors(true);
    table->setWordWrap(false);
    table->setTextElideMode(Qt::ElideMiddle);
    table->verticalHeader()->hide();
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 6);
    table->horizontalHeader()->setSectionResizeMode(StatTableModel::NameColumn, QHeaderView::Stretch);
    table->horizontalHeader()->setSectionResizeMode(StatTableModel::ValueColumn, QHeaderView::ResizeToContents);
    table->horizontalHeader()->setSectionResizeMode(StatTableModel::RateColumn, QHeaderView::ResizeToContents);
    table->setToolTip(u"Select stats to plot them: rates for counters, values for gauges"_s);
    QObject::connect(table->selectionModel(), &QItemSelectionModel::selectionChanged, q, [this] {
        updateCharts();
        refreshCharts();
    });
    tableLayout->addWidget(table);

    auto *chartPane = new QWidget;
    auto *chartLayout = new QVBoxLayout(chartPane);
    chartLayout->setContentsMargins(0, 6, 6, 6);
    note = new QLabel;
    note->setWordWrap(true);
    note->setObjectName(u"viewNote"_s);
    chartLayout->addWidget(note);
    scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto *chartArea = new QWidget;
    grid = new QGridLayout(chartArea);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setSpacing(8);
    for (int column = 0; column < ChartColumns; ++column)
        grid->setColumnStretch(column, 1);
    placeholder = new QLabel(u"No percentile groups yet. Select stats in the table to plot them."_s);
    placeholder->setAlignment(Qt::AlignCenter);
    placeholder->setStyleSheet(u"color: #6a737d;"_s);
    grid->addWidget(placeholder, 0, 0);
    scroll->setWidget(chartArea);
    QObject::connect(scroll->verticalScrollBar(), &QScrollBar::valueChanged, q, [this] { refreshStaleCharts(); });
    chartLayout->addWidget(scroll, 1);

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
    updatedLabel = new QLabel(u"No update yet"_s);
    updatedLabel->setObjectName(u"lastUpdate"_s);
    processesLabel = new QLabel;
    processesLabel->setObjectName(u"processCount"_s);
    q->statusBar()->addWidget(stateLabel, 1);
    q->statusBar()->addPermanentWidget(processesLabel);
    q->statusBar()->addPermanentWidget(updatedLabel);
}

void MainWindowPrivate::loadSettings()
{
    if (!settings)
        return;
    const QUrl url = DashboardOptions::parseUrl(settings->value(u"url"_s).toString());
    if (!url.isEmpty())
        q->setUrl(url);
    const int interval = settings->value(u"intervalMs"_s, 0).toInt();
    if (interval > 0)
        q->setInterval(milliseconds(interval));
    q->setWindowMinutes(settings->value(u"windowMinutes"_s, DashboardOptions::DefaultWindowMinutes).toInt());
    q->restoreGeometry(settings->value(u"geometry"_s).toByteArray());
    q->restoreState(settings->value(u"windowState"_s).toByteArray());
    splitter->restoreState(settings->value(u"splitter"_s).toByteArray());
    q->selectStats(settings->value(u"selectedStats"_s).toStringList());
}

StatsDocument::Stats MainWindowPrivate::shownStats() const
{
    if (!shownPid)
        return lastDocument.totals();
    const StatsDocument::Process *process = lastDocument.process(shownPid);
    return process ? process->stats : StatsDocument::Stats();
}

void MainWindowPrivate::showDocument(const StatsDocument &document)
{
    lastDocument = document;
    bool recorded = summedHistory.append(document.timestamp(), document.totals());
    if (shownPid)
        recorded = processHistory.append(document.timestamp(), shownStats());

    const QString host = poller->url().authority();
    setState(State::Connected, u"Connected to "_s + host);
    updatedLabel->setText(u"Last update "_s + QTime::currentTime().toString(u"HH:mm:ss"_s));
    QString processes = document.processCount() < 0 ? u"processes: not reported"_s
        : document.processCount() == 1                 ? u"1 process"_s
                                                       : u"%1 processes"_s.arg(document.processCount());
    if (document.unansweredCount() > 0)
        processes += u", %1 not answering"_s.arg(document.unansweredCount());
    processesLabel->setText(processes);
    updateProcessChooser();
    if (recorded)
        refreshView();
    countPollForScreenshot();
    Q_EMIT q->refreshed();
}

void MainWindowPrivate::showFailure(const QString &reason, milliseconds retryIn)
{
    // The history and the charts stay as they are: an operator still sees the last minutes.
    const QString retry = u" — retrying in "_s + QString::number(double(retryIn.count()) / 1000.0, 'g', 3) + u" s"_s;
    setState(State::Failing, reason + retry,
             u"%1 failed polls in a row of %2"_s.arg(QString::number(poller->consecutiveFailures()),
                                                     StatsPoller::requestUrl(poller->url()).toString()));
    countPollForScreenshot();
    Q_EMIT q->refreshed();
}

void MainWindowPrivate::setState(State newState, const QString &text, const QString &detail)
{
    stateText = text;
    QString color;
    QString mark = u"●"_s;
    switch (newState) {
    case State::Connecting:
        color = u"#6a737d"_s;
        mark = u"○"_s;
        break;
    case State::Connected:
        color = u"#1a7f37"_s;
        break;
    case State::Failing:
        color = u"#c62828"_s;
        break;
    case State::Paused:
        color = u"#6a737d"_s;
        mark = u"❚❚"_s;
        break;
    }
    stateLabel->setText(u"<span style='color:%1'>%2</span> %3"_s.arg(color, mark, text.toHtmlEscaped()));
    stateLabel->setToolTip(detail.isEmpty() ? text : text + u'\n' + detail);
}

void MainWindowPrivate::refreshView()
{
    const StatHistory &shown = history();
    if (groupsStale || shown.namesRevision() != groupsRevision) {
        groups = PercentileGroups::detect(shown.names());
        groupsRevision = shown.namesRevision();
        groupsStale = false;
    }
    model->refresh(shown, shownStats(), groups);
    applyPendingSelection();
    updateCharts();
    refreshCharts();
    updateNote();
}

QString MainWindowPrivate::viewName() const
{
    return shownPid ? u"process %1"_s.arg(shownPid) : u"all processes, summed"_s;
}

QList<ChartPanel::Line> MainWindowPrivate::selectionLines(ChartPanel::Plot plot) const
{
    QList<ChartPanel::Line> lines;
    for (const QString &name : selectedRows()) {
        const bool rate = model->isCounter(name);
        if (rate == (plot == ChartPanel::Plot::Rates))
            lines.append({name, name, plot, ChartPanel::paletteColor(int(lines.size()))});
    }
    return lines;
}

void MainWindowPrivate::updateCharts()
{
    QStringList order;
    auto panelFor = [&](const QString &key) {
        ChartPanel *&panel = panels[key];
        if (!panel)
            panel = new ChartPanel;
        order.append(key);
        return panel;
    };

    for (const ChartPanel::Plot plot : {ChartPanel::Plot::Rates, ChartPanel::Plot::Values}) {
        const QList<ChartPanel::Line> lines = selectionLines(plot);
        if (lines.isEmpty())
            continue;
        ChartPanel *panel = panelFor(plot == ChartPanel::Plot::Rates ? SelectedRatesKey : SelectedValuesKey);
        const bool rates = plot == ChartPanel::Plot::Rates;
        panel->setTitle((rates ? u"Selected counters"_s : u"Selected gauges"_s) + u" — "_s + viewName());
        panel->setUnit(valueAxisTitle(lines.size() == 1 ? unitOf(lines.constFirst().name) : QString(), plot));
        panel->setLines(lines);
    }

    for (const PercentileGroups::Group &group : groups.groups()) {
        ChartPanel *panel = panelFor(u"group:"_s + group.pattern);
        QList<ChartPanel::Line> lines;
        QList<QColor> used;
        for (const PercentileGroups::Member &member : group.members) {
            QColor color = ChartPanel::colorForRank(member.rank);
            // Two labels of one colour band (99th and 99.9th) must still be told apart.
            for (int n = 0; used.contains(color); ++n)
                color = ChartPanel::paletteColor(n);
            used.append(color);
            lines.append({member.name, member.label, ChartPanel::Plot::Values, color});
        }
        panel->setTitle(group.pattern + u" — "_s + viewName());
        panel->setUnit(valueAxisTitle(unitOf(group.pattern), ChartPanel::Plot::Values));
        panel->setLines(lines);
    }
    placeCharts(order);
}

void MainWindowPrivate::placeCharts(const QStringList &order)
{
    if (order == panelOrder)
        return;
    for (auto it = panels.begin(); it != panels.end();) {
        if (order.contains(it.key())) {
            ++it;
            continue;
        }
        staleCharts.remove(it.value());
        delete it.value();
        it = panels.erase(it);
    }
    for (ChartPanel *panel : std::as_const(panels))
        grid->removeWidget(panel);
    for (int i = 0; i < order.size(); ++i) {
        ChartPanel *panel = panels.value(order[i]);
        panel->setMinimumHeight(ChartMinimumHeight);
        panel->setMaximumHeight(ChartMaximumHeight);
        grid->addWidget(panel, i / ChartColumns, i % ChartColumns);
    }
    // Charts share the height, up to their maximum; an empty row below takes a quarter of it,
    // so that one row of charts does not stretch to the bottom of a tall window.
    const int rows = int(order.size() + ChartColumns - 1) / ChartColumns;
    for (int row = 0; row < grid->rowCount(); ++row)
        grid->setRowStretch(row, row < rows ? 3 : 0);
    grid->setRowStretch(rows, 1);
    placeholder->setVisible(order.isEmpty());
    panelOrder = order;
    // New charts become visible once the layout has run: refresh them then.
    QTimer::singleShot(0, q, [this] { refreshStaleCharts(); });
}

void MainWindowPrivate::refreshCharts()
{
    staleCharts = QSet<ChartPanel *>(panels.cbegin(), panels.cend());
    refreshStaleCharts();
}

void MainWindowPrivate::refreshStaleCharts()
{
    // Only the charts in view are worth a refresh; the others catch up when they scroll in.
    const StatHistory &shown = history();
    const double end = shown.latestTime();
    const double start = end - 60.0 * q->windowMinutes();
    for (auto it = staleCharts.begin(); it != staleCharts.end();) {
        // The view's own visibleRegion() is empty: its opaque viewport covers it.
        if ((*it)->viewport()->visibleRegion().isEmpty()) {
            ++it;
            continue;
        }
        (*it)->refresh(shown, start, end);
        it = staleCharts.erase(it);
    }
}

void MainWindowPrivate::updateProcessChooser()
{
    QList<qint64> pids;
    for (const StatsDocument::Process &process : lastDocument.processes())
        pids.append(process.pid);
    const bool shownIsGone = shownPid && !pids.contains(shownPid);
    if (shownIsGone)
        pids.append(shownPid);
    processCombo->setEnabled(lastDocument.hasProcesses() || shownPid);

    QList<qint64> offered = q->offeredProcesses();
    if (offered != pids || processCombo->itemText(processCombo->count() - 1).endsWith(u"(gone)"_s) != shownIsGone) {
        const QSignalBlocker blocker(processCombo);
        while (processCombo->count() > 1)
            processCombo->removeItem(1);
        for (qint64 pid : std::as_const(pids)) {
            const bool gone = shownIsGone && pid == shownPid;
            processCombo->addItem(u"Process %1%2"_s.arg(QString::number(pid), gone ? u" (gone)"_s : QString()), pid);
        }
    }
    processCombo->setCurrentIndex(std::max(0, processCombo->findData(shownPid)));
}

void MainWindowPrivate::updateNote()
{
    QString text;
    bool warn = false;
    if (!lastDocument.isValid()) {
        text = u"Waiting for the first answer of "_s + poller->url().toString() + u'.';
    } else if (shownPid) {
        const QString since = QDateTime::fromMSecsSinceEpoch(qint64(processHistory.oldestTime() * 1000)).toString(u"HH:mm:ss"_s);
        text = lastDocument.process(shownPid)
            ? u"Process %1 only: its own values and true percentiles (history since %2)."_s.arg(QString::number(shownPid), since)
            : u"Process %1 is not in the last sweep: it ended or stopped answering."_s.arg(shownPid);
        warn = !lastDocument.process(shownPid);
    } else if (!lastDocument.hasProcesses()) {
        text = u"This service offers no per-process view (?by=process): showing its sums."_s;
    } else if (lastDocument.processCount() > 1 && !groups.groups().isEmpty()) {
        text = u"All %1 processes, summed. A sum of percentiles is not a percentile: choose one process "
               u"under \"show\" to read true percentiles."_s.arg(lastDocument.processCount());
        warn = true;
    } else {
        text = lastDocument.processCount() == 1 ? u"All processes, summed (1 answered)."_s
                                                : u"All processes, summed (%1 answered)."_s.arg(lastDocument.processCount());
    }
    if (text == note->text())
        return;
    note->setText(text);
    // Style sheets are costly to apply: only when the kind of note changes.
    const QString style = warn ? u"background: #fff4ce; border: 1px solid #e3c46b; border-radius: 3px; padding: 4px 8px; color: #5c4400;"_s
                             : u"background: #eef3f8; border: 1px solid #c9d6e3; border-radius: 3px; padding: 4px 8px; color: #24292f;"_s;
    if (style != note->styleSheet())
        note->setStyleSheet(style);
}

QStringList MainWindowPrivate::selectedRows() const
{
    QStringList names;
    const QModelIndexList rows = table->selectionModel()->selectedRows(StatTableModel::NameColumn);
    for (const QModelIndex &index : rows)
        names.append(model->nameAt(proxy->mapToSource(index).row()));
    names.sort();
    return names;
}

void MainWindowPrivate::applyPendingSelection()
{
    if (pendingSelection.isEmpty())
        return;
    QItemSelection selection;
    QStringList stillMissing;
    for (const QString &name : std::as_const(pendingSelection)) {
        const int row = model->rowOf(name);
        if (row < 0) {
            stillMissing.append(name);
            continue;
        }
        const QModelIndex index = proxy->mapFromSource(model->index(row, StatTableModel::NameColumn));
        if (index.isValid())
            selection.select(index, index);
        else
            stillMissing.append(name);
    }
    pendingSelection = stillMissing;
    if (!selection.isEmpty())
        table->selectionModel()->select(selection, QItemSelectionModel::Select | QItemSelectionModel::Rows);
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
        q->statusBar()->showMessage(error, 10000);
        return;
    }
    q->setUrl(url);
}

MainWindow::MainWindow(QSettings *settings, QWidget *parent)
    : QMainWindow(parent)
    , d(std::make_unique<MainWindowPrivate>(this, settings))
{
    setWindowTitle(u"Statvent dashboard"_s);
    d->buildToolBar();
    d->buildCentralWidget();
    d->buildStatusBar();
    d->setState(MainWindowPrivate::State::Connecting, u"Not connected"_s);
    resize(1280, 820);
    d->table->setFocus();
    d->loadSettings();
    d->updateNote();
}

MainWindow::~MainWindow() = default;

void MainWindow::start()
{
    if (isPaused())
        return;
    d->setState(MainWindowPrivate::State::Connecting, u"Connecting to "_s + url().toString());
    d->poller->start();
}

QUrl MainWindow::url() const
{
    return d->poller->url();
}

void MainWindow::setUrl(const QUrl &url)
{
    d->urlEdit->setText(url.toString());
    setWindowTitle(u"Statvent dashboard — "_s + url.authority());
    if (url == d->poller->url())
        return;
    // Another service: nothing of the old history belongs to it.
    const bool wasRunning = d->poller->isRunning();
    d->poller->stop();
    d->poller->setUrl(url);
    d->summedHistory.clear();
    d->processHistory.clear();
    d->shownPid = 0;
    d->lastDocument = StatsDocument();
    d->groupsStale = true;
    d->refreshView();
    d->updateProcessChooser();
    if (wasRunning)
        start();
}

milliseconds MainWindow::interval() const
{
    return d->poller->interval();
}

void MainWindow::setInterval(milliseconds interval)
{
    d->poller->setInterval(interval);
    const QSignalBlocker blocker(d->intervalSpin);
    d->intervalSpin->setValue(int(interval.count()));
}

int MainWindow::windowMinutes() const
{
    return d->windowCombo->currentData().toInt();
}

void MainWindow::setWindowMinutes(int minutes)
{
    const int index = d->windowCombo->findData(minutes);
    if (index >= 0)
        d->windowCombo->setCurrentIndex(index);
}

qint64 MainWindow::shownProcess() const
{
    return d->shownPid;
}

void MainWindow::showProcess(qint64 pid)
{
    if (pid == d->shownPid)
        return;
    d->shownPid = pid;
    d->processHistory.clear();
    d->groupsStale = true;
    if (pid && d->lastDocument.isValid()) {
        d->processHistory.append(d->lastDocument.timestamp(), d->shownStats());
    }
    d->updateProcessChooser();
    d->refreshView();
}

QList<qint64> MainWindow::offeredProcesses() const
{
    QList<qint64> pids;
    for (int i = 1; i < d->processCombo->count(); ++i)
        pids.append(d->processCombo->itemData(i).toLongLong());
    return pids;
}

bool MainWindow::isPaused() const
{
    return d->pauseAction->isChecked();
}

void MainWindow::setPaused(bool paused)
{
    {
        const QSignalBlocker blocker(d->pauseAction);
        d->pauseAction->setChecked(paused);
    }
    d->pauseAction->setText(paused ? u"Resume"_s : u"Pause"_s);
    if (paused) {
        d->poller->stop();
        d->setState(MainWindowPrivate::State::Paused, u"Paused: the charts keep what they show"_s);
    } else {
        start();
    }
}

void MainWindow::selectStats(const QStringList &names)
{
    d->table->clearSelection();
    d->pendingSelection = names;
    d->applyPendingSelection();
}

QStringList MainWindow::selectedStats() const
{
    return d->selectedRows() + d->pendingSelection;
}

bool MainWindow::exportCharts(const QString &file, QString *error)
{
    if (d->panels.isEmpty()) {
        if (error)
            *error = u"there are no charts to export"_s;
        return false;
    }
    return savePng(d->scroll->viewport()->grab(), file, error);
}

void MainWindow::saveScreenshotAfter(int polls, const QString &file)
{
    d->screenshotPolls = std::max(1, polls);
    d->screenshotFile = file;
}

void MainWindow::saveSettings() const
{
    if (!d->settings)
        return;
    d->settings->setValue(u"url"_s, url().toString());
    d->settings->setValue(u"intervalMs"_s, qint64(interval().count()));
    d->settings->setValue(u"windowMinutes"_s, windowMinutes());
    d->settings->setValue(u"geometry"_s, saveGeometry());
    d->settings->setValue(u"windowState"_s, saveState());
    d->settings->setValue(u"splitter"_s, d->splitter->saveState());
    d->settings->setValue(u"selectedStats"_s, selectedStats());
}

StatsPoller *MainWindow::poller() const
{
    return d->poller;
}

const StatHistory &MainWindow::shownHistory() const
{
    return d->history();
}

const PercentileGroups &MainWindow::groups() const
{
    return d->groups;
}

StatTableModel *MainWindow::tableModel() const
{
    return d->model;
}

QList<ChartPanel *> MainWindow::charts() const
{
    QList<ChartPanel *> ordered;
    for (const QString &key : std::as_const(d->panelOrder))
        ordered.append(d->panels.value(key));
    return ordered;
}

QString MainWindow::connectionStatus() const
{
    return d->stateText;
}

QString MainWindow::viewNote() const
{
    return d->note->text();
}

void MainWindow::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    // Charts skipped while hidden; after the layout has given them their size.
    QTimer::singleShot(0, this, [this] { d->refreshStaleCharts(); });
}

void MainWindow::resizeEvent(QResizeEvent *event)
{
    QMainWindow::resizeEvent(event);
    d->refreshStaleCharts();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    QMainWindow::closeEvent(event);
}
