// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include <statventdashboard/chartpanel.h>

#include <statventdashboard/plotlinesitem.h>
#include <statventdashboard/stathistory.h>

#include <QCategoryAxis>
#include <QChart>
#include <QGraphicsLayout>
#include <QGraphicsScene>
#include <QLegend>
#include <QLineSeries>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>

namespace StatventDashboard {

using namespace Qt::StringLiterals;

namespace {

// Before the first layout the plot area is empty; a typical chart's width meanwhile.
constexpr int FallbackPlotWidth = 400;
// The value axis shrinks when the data spans less than this share of it.
constexpr double ShrinkBelow = 0.4;
const QColor GridColor(0xe4, 0xe7, 0xeb);

QString agoLabel(double seconds)
{
    if (seconds == 0)
        return u"now"_s;
    if (seconds < 60)
        return u"−%1 s"_s.arg(seconds);
    return u"−%1 min"_s.arg(seconds / 60);
}

} // namespace

class ChartPanelPrivate
{
public:
    void setTimeWindow(double seconds);
    void fitValueAxis(double low, double high);
    void updateGrid();

    QChart *chart = nullptr;
    QCategoryAxis *timeAxis = nullptr;
    QValueAxis *valueAxis = nullptr;
    PlotLinesItem *plot = nullptr;
    QList<ChartPanel::Line> lines;
    double windowSeconds = 0;
};

void ChartPanelPrivate::setTimeWindow(double seconds)
{
    if (seconds == windowSeconds)
        return;
    windowSeconds = seconds;
    // At most five steps of a round duration that divides the window, so "now" gets a label
    // and the labels fit a narrow chart.
    double step = seconds;
    for (double candidate :
         {5.0, 10.0, 15.0, 20.0, 30.0, 60.0, 120.0, 180.0, 300.0, 600.0, 900.0, 1200.0, 1800.0}) {
        if (std::fmod(seconds, candidate) == 0 && seconds / candidate <= 5) {
            step = candidate;
            break;
        }
    }
    const auto labels = timeAxis->categoriesLabels();
    for (const QString &label : labels)
        timeAxis->remove(label);
    timeAxis->setRange(-seconds, 0);
    timeAxis->setStartValue(-seconds);
    for (double at = -seconds + step; at <= 0; at += step)
        timeAxis->append(agoLabel(-at), at);
}

void ChartPanelPrivate::updateGrid()
{
    // Where Qt Charts puts its own grid lines: at the end of every time category and at every
    // value tick. None at the left and bottom edges, where the axis lines are.
    QList<double> xs;
    const QStringList labels = timeAxis->categoriesLabels();
    for (const QString &label : labels)
        xs.append((timeAxis->endValue(label) - timeAxis->min())
                  / (timeAxis->max() - timeAxis->min()));
    QList<double> ys;
    const int ticks = valueAxis->tickCount();
    for (int tick = 1; tick < ticks; ++tick)
        ys.append(double(tick) / (ticks - 1));
    plot->setGrid(xs, ys, GridColor);
}

void ChartPanelPrivate::fitValueAxis(double low, double high)
{
    if (low > high) { // nothing to show
        low = 0;
        high = 1;
    }
    // Non-negative data starts at zero: an operator judges a latency by its height.
    if (low >= 0)
        low = 0;
    if (high - low < std::abs(high) * 1e-9 + 1e-12)
        high = low + std::max(1.0, std::abs(low));
    const double min = valueAxis->min();
    const double max = valueAxis->max();
    const bool fits = low >= min && high <= max && (high - low) >= ShrinkBelow * (max - min);
    if (fits)
        return; // an axis that stays put spares the chart a new layout
    valueAxis->setRange(low, high + (high - low) * 0.05);
    valueAxis->applyNiceNumbers();
}

ChartPanel::ChartPanel(QWidget *parent)
    : QChartView(parent)
    , d(std::make_unique<ChartPanelPrivate>())
{
    // The view's own chart: setChart() would leave the one QChartView made, without an owner.
    d->chart = chart();
    d->chart->setTheme(QChart::ChartThemeLight);
    d->chart->setAnimationOptions(QChart::NoAnimation);
    d->chart->setBackgroundRoundness(0);
    // The light theme paints its white background with a white-to-white gradient: every repaint
    // then computes the gradient pixel by pixel, on Qt's fill threads that the GUI thread waits
    // for. A plain brush is the same white, filled on QPainter's fast path.
    d->chart->setBackgroundBrush(Qt::white);
    d->chart->setMargins(QMargins(8, 6, 18, 4));
    // The background covers the whole view, so nothing around it needs clearing (see below).
    d->chart->layout()->setContentsMargins(0, 0, 0, 0);
    QFont titleFont = d->chart->titleFont();
    titleFont.setBold(true);
    titleFont.setPointSizeF(10);
    d->chart->setTitleFont(titleFont);
    d->chart->legend()->setAlignment(Qt::AlignBottom);
    d->chart->legend()->setMarkerShape(QLegend::MarkerShapeFromSeries);
    QFont legendFont = d->chart->legend()->font();
    legendFont.setPointSizeF(8.5);
    d->chart->legend()->setFont(legendFont);

    // A zero-width (cosmetic) pen: Qt draws it on its fast path, and its items skip the outline
    // QGraphicsLineItem otherwise strokes whenever its bounds are asked for.
    const QPen axisPen(QColor(0xa0, 0xa6, 0xad), 0);
    QFont axisFont = d->chart->font();
    axisFont.setPointSizeF(8.5);
    d->timeAxis = new QCategoryAxis;
    d->timeAxis->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    d->timeAxis->setLabelsFont(axisFont);
    d->chart->addAxis(d->timeAxis, Qt::AlignBottom);
    d->valueAxis = new QValueAxis;
    d->valueAxis->setLabelFormat(u"%.4g"_s);
    d->valueAxis->setLabelsFont(axisFont);
    d->valueAxis->setRange(0, 1);
    d->chart->addAxis(d->valueAxis, Qt::AlignLeft);
    for (QAbstractAxis *axis :
         {static_cast<QAbstractAxis *>(d->timeAxis), static_cast<QAbstractAxis *>(d->valueAxis)}) {
        axis->setGridLineVisible(false); // PlotLinesItem draws the grid
        axis->setLinePen(axisPen);
    }
    d->setTimeWindow(300);

    d->plot = new PlotLinesItem(d->chart);
    d->updateGrid();
    connect(d->chart, &QChart::plotAreaChanged, this,
            [this](const QRectF &area) { d->plot->setPlotArea(area); });

    // No antialiasing for the frame: crisp one-pixel axes, on QPainter's fast path
    // (PlotLinesItem antialiases the lines itself).
    setRenderHint(QPainter::Antialiasing, false);
    // The chart's background item covers the whole view: no need to clear it first. And the
    // items restore the painter's state themselves.
    viewport()->setAttribute(Qt::WA_OpaquePaintEvent);
    setOptimizationFlags(QGraphicsView::DontSavePainterState
                         | QGraphicsView::DontAdjustForAntialiasing);
    // A chart is looked at, not typed into: no focus, no frame around it.
    setFocusPolicy(Qt::NoFocus);
    setFrameShape(QFrame::NoFrame);
    // A chart's scene holds about ninety items (axes, labels, legend), most of them over the plot
    // area: the default BSP index, searched at every repaint only to find the one top-level item
    // (the chart), cost more than the walk over the items it spares.
    scene()->setItemIndexMethod(QGraphicsScene::NoIndex);
    setMinimumSize(360, 240);
}

ChartPanel::~ChartPanel() = default;

QString ChartPanel::title() const
{
    return d->chart->title();
}

void ChartPanel::setTitle(const QString &title)
{
    if (title != d->chart->title())
        d->chart->setTitle(title);
}

QString ChartPanel::unit() const
{
    return d->valueAxis->titleText();
}

void ChartPanel::setUnit(const QString &unit)
{
    if (unit != d->valueAxis->titleText())
        d->valueAxis->setTitleText(unit);
}

const QList<ChartPanel::Line> &ChartPanel::lines() const
{
    return d->lines;
}

void ChartPanel::setLines(const QList<Line> &lines)
{
    if (lines == d->lines)
        return;
    d->lines = lines;
    // The series stay empty: they give the legend its entries, PlotLinesItem draws the data.
    d->chart->removeAllSeries();
    d->plot->lines().clear();
    for (const Line &line : lines) {
        auto *series = new QLineSeries;
        series->setName(line.label);
        series->setPen(QPen(line.color, 2));
        d->chart->addSeries(series);
        series->attachAxis(d->timeAxis);
        series->attachAxis(d->valueAxis);
        d->plot->lines().append({line.label, line.color, line.plot == Plot::Rates, {}});
    }
    d->plot->linesChanged();
}

void ChartPanel::refresh(const StatHistory &history, double windowStart, double windowEnd)
{
    d->setTimeWindow(windowEnd - windowStart);
    const int plotWidth = int(d->chart->plotArea().width());
    // The lowest and highest point of every three pixel columns: all a one-pixel line can show
    // of its spikes, and the line drawing, the main cost of a repaint, stays proportional to the
    // chart's width whatever the history's length.
    const int maxPoints = (plotWidth > 0 ? plotWidth : FallbackPlotWidth) * 2 / 3;
    double low = std::numeric_limits<double>::infinity();
    double high = -low;
    for (qsizetype i = 0; i < d->lines.size(); ++i) {
        const Line &line = d->lines[i];
        QList<QPointF> &points = d->plot->lines()[i].points;
        points = line.plot == Plot::Rates ? history.rates(line.name, windowStart, maxPoints)
                                          : history.values(line.name, windowStart, maxPoints);
        for (const QPointF &point : std::as_const(points)) {
            low = std::min(low, point.y());
            high = std::max(high, point.y());
        }
    }
    d->fitValueAxis(low, high);
    d->updateGrid();
    d->plot->setRanges(windowStart * 1000.0, windowEnd * 1000.0, d->valueAxis->min(),
                       d->valueAxis->max());
}

QList<QPointF> ChartPanel::plottedPoints(int line) const
{
    return line >= 0 && line < d->plot->lines().size() ? d->plot->lines().at(line).points
                                                       : QList<QPointF>();
}

std::pair<double, double> ChartPanel::valueRange() const
{
    return {d->valueAxis->min(), d->valueAxis->max()};
}

QStringList ChartPanel::timeLabels() const
{
    return d->timeAxis->categoriesLabels();
}

QColor ChartPanel::colorForRank(double rank)
{
    if (rank == std::numeric_limits<double>::max())
        return QColor(0x2c, 0xa0, 0x2c); // mean
    if (rank < 50)
        return QColor(0x8c, 0x56, 0x4b);
    if (rank == 50)
        return QColor(0x1f, 0x77, 0xb4);
    if (rank < 95)
        return QColor(0x17, 0xbe, 0xcf);
    if (rank < 99)
        return QColor(0xff, 0x7f, 0x0e);
    if (rank < 100)
        return QColor(0xd6, 0x27, 0x28);
    return QColor(0x94, 0x67, 0xbd); // 100th: the maximum
}

QColor ChartPanel::paletteColor(int n)
{
    static const QColor palette[] = {
        QColor(0x1f, 0x77, 0xb4), QColor(0xff, 0x7f, 0x0e), QColor(0x2c, 0xa0, 0x2c),
        QColor(0xd6, 0x27, 0x28), QColor(0x94, 0x67, 0xbd), QColor(0x8c, 0x56, 0x4b),
        QColor(0xe3, 0x77, 0xc2), QColor(0x7f, 0x7f, 0x7f), QColor(0xbc, 0xbd, 0x22),
        QColor(0x17, 0xbe, 0xcf),
    };
    return palette[std::abs(n) % std::size(palette)];
}

} // namespace StatventDashboard
