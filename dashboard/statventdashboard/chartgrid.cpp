// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include <statventdashboard/chartgrid.h>

#include <statventdashboard/chartpanel.h>
#include <statventdashboard/dashboardcontroller.h>
#include <statventdashboard/percentilegroups.h>
#include <statventdashboard/stathistory.h>
#include <statventdashboard/statname.h>

#include <QGridLayout>
#include <QHash>
#include <QLabel>
#include <QScrollBar>
#include <QSet>
#include <QTimer>

namespace StatventDashboard {

using namespace Qt::StringLiterals;

namespace {

constexpr int ChartColumns = 2;
constexpr int ChartMinimumHeight = 280;
constexpr int ChartMaximumHeight = 560;

const auto SelectedRatesKey = u"selected:rates"_s;
const auto SelectedValuesKey = u"selected:values"_s;

QString valueAxisTitle(const QString &unit, ChartPanel::Plot plot)
{
    if (plot == ChartPanel::Plot::Rates)
        return unit.isEmpty() ? u"per second"_s : unit + u" per second"_s;
    return unit.isEmpty() ? u"value"_s : unit;
}

} // namespace

class ChartGridPrivate
{
public:
    ChartGridPrivate(ChartGrid *owner, const DashboardController *shown)
        : q(owner)
        , controller(shown)
    {
    }

    QList<ChartPanel::Line> selectionLines(ChartPanel::Plot plot) const;
    void placeCharts(const QStringList &order);
    void refreshStaleCharts();

    ChartGrid *q;
    const DashboardController *controller;
    QGridLayout *grid = nullptr;
    QLabel *placeholder = nullptr;
    QHash<QString, ChartPanel *> panels; // by key: a group's pattern, or one of the selection keys
    QSet<ChartPanel *> staleCharts; // out of view at the last refresh
    QStringList panelOrder;
};

QList<ChartPanel::Line> ChartGridPrivate::selectionLines(ChartPanel::Plot plot) const
{
    QStringList names;
    for (const QString &name : controller->selectedStats()) {
        if (controller->shownHistory().contains(name))
            names.append(name);
    }
    names.sort();
    QList<ChartPanel::Line> lines;
    for (const QString &name : std::as_const(names)) {
        if (controller->isRate(name) == (plot == ChartPanel::Plot::Rates))
            lines.append(
                {name, StatName::display(name), plot, ChartPanel::paletteColor(int(lines.size()))});
    }
    return lines;
}

void ChartGridPrivate::placeCharts(const QStringList &order)
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

void ChartGridPrivate::refreshStaleCharts()
{
    const StatHistory &shown = controller->shownHistory();
    const double end = shown.latestTime();
    const double start = end - 60.0 * controller->windowMinutes();
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

ChartGrid::ChartGrid(const DashboardController *controller, QWidget *parent)
    : QScrollArea(parent)
    , d(std::make_unique<ChartGridPrivate>(this, controller))
{
    setWidgetResizable(true);
    setFrameShape(QFrame::NoFrame);
    auto *chartArea = new QWidget;
    d->grid = new QGridLayout(chartArea);
    d->grid->setContentsMargins(0, 0, 0, 0);
    d->grid->setSpacing(8);
    for (int column = 0; column < ChartColumns; ++column)
        d->grid->setColumnStretch(column, 1);
    d->placeholder =
        new QLabel(u"No percentile groups yet. Select stats in the table to plot them."_s);
    d->placeholder->setAlignment(Qt::AlignCenter);
    d->placeholder->setStyleSheet(u"color: #6a737d;"_s);
    d->grid->addWidget(d->placeholder, 0, 0);
    setWidget(chartArea);
    connect(verticalScrollBar(), &QScrollBar::valueChanged, this,
            [this] { d->refreshStaleCharts(); });
}

ChartGrid::~ChartGrid() = default;

QList<ChartPanel *> ChartGrid::charts() const
{
    QList<ChartPanel *> ordered;
    for (const QString &key : std::as_const(d->panelOrder))
        ordered.append(d->panels.value(key));
    return ordered;
}

QString ChartGrid::unitOf(const QString &name)
{
    static const QHash<QString, QString> units = {
        {u"ns"_s, u"nanoseconds"_s},      {u"nanoseconds"_s, u"nanoseconds"_s},
        {u"us"_s, u"microseconds"_s},     {u"usec"_s, u"microseconds"_s},
        {u"micros"_s, u"microseconds"_s}, {u"microseconds"_s, u"microseconds"_s},
        {u"ms"_s, u"milliseconds"_s},     {u"msec"_s, u"milliseconds"_s},
        {u"millis"_s, u"milliseconds"_s}, {u"milliseconds"_s, u"milliseconds"_s},
        {u"s"_s, u"seconds"_s},           {u"sec"_s, u"seconds"_s},
        {u"secs"_s, u"seconds"_s},        {u"seconds"_s, u"seconds"_s},
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

void ChartGrid::updateCharts()
{
    QStringList order;
    auto panelFor = [&](const QString &key) {
        ChartPanel *&panel = d->panels[key];
        if (!panel)
            panel = new ChartPanel;
        order.append(key);
        return panel;
    };
    const QString viewName = d->controller->viewName();

    for (const ChartPanel::Plot plot : {ChartPanel::Plot::Rates, ChartPanel::Plot::Values}) {
        const QList<ChartPanel::Line> lines = d->selectionLines(plot);
        if (lines.isEmpty())
            continue;
        const bool rates = plot == ChartPanel::Plot::Rates;
        ChartPanel *panel = panelFor(rates ? SelectedRatesKey : SelectedValuesKey);
        panel->setTitle((rates ? u"Selected counters"_s : u"Selected gauges"_s) + u" — "_s
                        + viewName);
        panel->setUnit(
            valueAxisTitle(lines.size() == 1 ? unitOf(lines.constFirst().name) : QString(), plot));
        panel->setLines(lines);
    }

    for (const PercentileGroups::Group &group : d->controller->groups().groups()) {
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
        panel->setTitle(StatName::display(group.pattern) + u" — "_s + viewName);
        panel->setUnit(valueAxisTitle(unitOf(group.pattern), ChartPanel::Plot::Values));
        panel->setLines(lines);
    }
    d->placeCharts(order);
}

void ChartGrid::refreshCharts()
{
    d->staleCharts = QSet<ChartPanel *>(d->panels.cbegin(), d->panels.cend());
    d->refreshStaleCharts();
}

void ChartGrid::showEvent(QShowEvent *event)
{
    QScrollArea::showEvent(event);
    // Charts skipped while hidden; after the layout has given them their size.
    QTimer::singleShot(0, this, [this] { d->refreshStaleCharts(); });
}

void ChartGrid::resizeEvent(QResizeEvent *event)
{
    QScrollArea::resizeEvent(event);
    d->refreshStaleCharts();
}

} // namespace StatventDashboard
