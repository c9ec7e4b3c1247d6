// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include <statventdashboard/chartpanel.h>
#include <statventdashboard/stathistory.h>

#include <QAbstractAxis>
#include <QChart>
#include <QDateTime>
#include <QImage>
#include <QLegend>
#include <QLegendMarker>
#include <QTest>
#include <QToolTip>

#include <limits>

using namespace StatventDashboard;
using namespace Qt::StringLiterals;

namespace {

constexpr double T0 = 1'764'057'600.0;
const QColor Red(0xd6, 0x27, 0x28);
const QColor Blue(0x1f, 0x77, 0xb4);

// About this colour: antialiasing blends the edges of a line.
bool isNear(const QColor &pixel, const QColor &color)
{
    return std::abs(pixel.red() - color.red()) + std::abs(pixel.green() - color.green())
        + std::abs(pixel.blue() - color.blue())
        < 40;
}

int pixelsNear(const QImage &image, const QColor &color)
{
    int count = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x)
            count += isNear(image.pixelColor(x, y), color) ? 1 : 0;
    }
    return count;
}

// The topmost row of \a area holding this colour.
int topOf(const QImage &image, const QRect &area, const QColor &color)
{
    for (int y = area.top(); y <= area.bottom(); ++y) {
        for (int x = area.left(); x <= area.right(); ++x) {
            if (isNear(image.pixelColor(x, y), color))
                return y;
        }
    }
    return area.bottom() + 1;
}

} // namespace

class tst_ChartPanel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void linesAndLegend();
    void plotsTheWindowOnly();
    void ratesForCounters();
    void thinsToThePlotWidth();
    void valueAxisFitsTheData_data();
    void valueAxisFitsTheData();
    void valueAxisStaysPutForSmallChanges();
    void timeAxisCountsBack_data();
    void timeAxisCountsBack();
    void drawsTheLines();
    void plainWhiteBackground();
    void gridWhereQtChartsDrawsIt();
    void hoverShowsTheValue();
    void colours();

private:
    StatHistory m_history{3600};
    std::unique_ptr<ChartPanel> m_panel;
};

void tst_ChartPanel::init()
{
    m_history.clear();
    for (int poll = 0; poll < 600; ++poll) {
        m_history.append(T0 + poll,
                         {{u"lat.median"_s, 10 + poll % 5},
                          {u"lat.99th"_s, 50 + poll % 7},
                          {u"requests"_s, 3 * poll}});
    }
    m_panel = std::make_unique<ChartPanel>();
    m_panel->resize(600, 320);
    m_panel->setLines({{u"lat.median"_s, u"median"_s, ChartPanel::Plot::Values, Blue},
                       {u"lat.99th"_s, u"99th"_s, ChartPanel::Plot::Values, Red}});
    m_panel->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_panel.get()));
}

void tst_ChartPanel::linesAndLegend()
{
    m_panel->setTitle(u"lat.{0}"_s);
    m_panel->setUnit(u"milliseconds"_s);
    QCOMPARE(m_panel->title(), u"lat.{0}"_s);
    QCOMPARE(m_panel->unit(), u"milliseconds"_s);
    QCOMPARE(m_panel->lines().size(), 2);
    const QList<QLegendMarker *> markers = m_panel->chart()->legend()->markers();
    QCOMPARE(markers.size(), 2);
    QCOMPARE(markers[0]->label(), u"median"_s);
    QCOMPARE(markers[1]->label(), u"99th"_s);
    QVERIFY(m_panel->plottedPoints(0).isEmpty()); // nothing before the first refresh
    QVERIFY(m_panel->plottedPoints(7).isEmpty());
}

void tst_ChartPanel::plotsTheWindowOnly()
{
    const double end = m_history.latestTime();
    m_panel->refresh(m_history, end - 60, end);
    const QList<QPointF> median = m_panel->plottedPoints(0);
    QCOMPARE(median.size(), 61); // the sweeps of the last minute, both ends included
    QCOMPARE(median.constFirst().x(), (end - 60) * 1000);
    QCOMPARE(median.constLast(), QPointF(end * 1000, 10 + 599 % 5));
    QCOMPARE(m_panel->plottedPoints(1).constLast().y(), 50 + 599 % 7);
}

void tst_ChartPanel::ratesForCounters()
{
    m_panel->setLines({{u"requests"_s, u"requests"_s, ChartPanel::Plot::Rates, Blue}});
    const double end = m_history.latestTime();
    m_panel->refresh(m_history, end - 10, end);
    const QList<QPointF> rates = m_panel->plottedPoints(0);
    QCOMPARE(rates.size(), 11);
    for (const QPointF &point : rates)
        QCOMPARE(point.y(), 3.0);
}

void tst_ChartPanel::thinsToThePlotWidth()
{
    const double end = m_history.latestTime();
    m_panel->refresh(m_history, end - 3600, end); // 600 sweeps in a plot narrower than that
    const int plotWidth = int(m_panel->chart()->plotArea().width());
    QVERIFY(plotWidth > 100 && plotWidth < 600);
    const QList<QPointF> points = m_panel->plottedPoints(1);
    // The lowest and highest of every three pixel columns.
    QVERIFY2(points.size() <= plotWidth * 2 / 3,
             qPrintable(u"%1 points for %2 px"_s.arg(points.size()).arg(plotWidth)));
    QVERIFY(points.size() > plotWidth / 3);
    double low = std::numeric_limits<double>::max();
    double high = 0;
    for (const QPointF &point : points) {
        low = std::min(low, point.y());
        high = std::max(high, point.y());
    }
    QCOMPARE(low, 50.0); // the thinning kept the extremes
    QCOMPARE(high, 56.0);
}

void tst_ChartPanel::valueAxisFitsTheData_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<double>("low");
    QTest::addColumn<double>("high");
    QTest::newRow("positive from zero") << 73.0 << 0.0 << 73.0;
    QTest::newRow("negative") << -20.0 << -20.0 << 0.0;
    QTest::newRow("constant zero") << 0.0 << 0.0 << 1.0;
    QTest::newRow("huge") << 4e12 << 0.0 << 4e12;
}

void tst_ChartPanel::valueAxisFitsTheData()
{
    QFETCH(double, value);
    QFETCH(double, low);
    QFETCH(double, high);
    StatHistory history;
    history.append(T0, {{u"x"_s, value}});
    m_panel->setLines({{u"x"_s, u"x"_s, ChartPanel::Plot::Values, Blue}});
    m_panel->refresh(history, T0 - 60, T0);
    const auto [min, max] = m_panel->valueRange();
    QVERIFY2(min <= low && max >= high, qPrintable(u"axis %1..%2"_s.arg(min).arg(max)));
    QVERIFY2(max - min <= 2 * (high - low) + 1,
             qPrintable(u"axis %1..%2 is too wide"_s.arg(min).arg(max)));
}

void tst_ChartPanel::valueAxisStaysPutForSmallChanges()
{
    StatHistory history;
    m_panel->setLines({{u"x"_s, u"x"_s, ChartPanel::Plot::Values, Blue}});
    history.append(T0, {{u"x"_s, 80}});
    m_panel->refresh(history, T0 - 60, T0);
    const auto range = m_panel->valueRange();
    history.append(T0 + 1, {{u"x"_s, 85}});
    m_panel->refresh(history, T0 - 59, T0 + 1);
    QCOMPARE(m_panel->valueRange(), range);
    history.append(T0 + 2, {{u"x"_s, 500}}); // out of range: the axis grows
    m_panel->refresh(history, T0 - 58, T0 + 2);
    QVERIFY(m_panel->valueRange().second >= 500);
}

void tst_ChartPanel::timeAxisCountsBack_data()
{
    QTest::addColumn<int>("minutes");
    QTest::addColumn<QStringList>("labels");
    QTest::newRow("1 min") << 1 << QStringList{u"−45 s"_s, u"−30 s"_s, u"−15 s"_s, u"now"_s};
    QTest::newRow("5 min") << 5
                           << QStringList{u"−4 min"_s, u"−3 min"_s, u"−2 min"_s, u"−1 min"_s,
                                          u"now"_s};
    QTest::newRow("15 min") << 15
                            << QStringList{u"−12 min"_s, u"−9 min"_s, u"−6 min"_s, u"−3 min"_s,
                                           u"now"_s};
    QTest::newRow("60 min") << 60
                            << QStringList{u"−45 min"_s, u"−30 min"_s, u"−15 min"_s, u"now"_s};
}

void tst_ChartPanel::timeAxisCountsBack()
{
    QFETCH(int, minutes);
    QFETCH(QStringList, labels);
    const double end = m_history.latestTime();
    m_panel->refresh(m_history, end - 60 * minutes, end);
    QCOMPARE(m_panel->timeLabels(), labels);
}

void tst_ChartPanel::drawsTheLines()
{
    const double end = m_history.latestTime();
    // Before any data only the legend's markers have the lines' colours.
    const int legendRed = pixelsNear(m_panel->grab().toImage(), Red);
    m_panel->refresh(m_history, end - 300, end);
    QTRY_VERIFY(pixelsNear(m_panel->grab().toImage(), Red) > legendRed + 300);
    const QImage image = m_panel->grab().toImage();
    QVERIFY(pixelsNear(image, Blue) > legendRed + 300);
    // In the plot area, the 99th (around 53) is drawn above the median (around 12).
    const QRect plot = m_panel->mapFromScene(m_panel->chart()->plotArea()).boundingRect();
    const int red = topOf(image, plot, Red);
    const int blue = topOf(image, plot, Blue);
    QVERIFY2(red < blue && blue <= plot.bottom(),
             qPrintable(u"red from row %1, blue from row %2"_s.arg(red).arg(blue)));
}

void tst_ChartPanel::plainWhiteBackground()
{
    // A solid brush: the light theme's white-to-white gradient looks the same but is filled
    // pixel by pixel at every repaint.
    QCOMPARE(m_panel->chart()->backgroundBrush().style(), Qt::SolidPattern);
    const double end = m_history.latestTime();
    m_panel->refresh(m_history, end - 300, end);
    const QImage image = m_panel->grab().toImage();
    const QRect plot = m_panel->mapFromScene(m_panel->chart()->plotArea()).boundingRect();
    // Above the lines and off the grid: the background.
    QCOMPARE(image.pixelColor(plot.left() + 3, plot.top() + 3), QColor(Qt::white));
    QCOMPARE(image.pixelColor(plot.right() + 4, plot.center().y()),
             QColor(Qt::white)); // right margin
}

void tst_ChartPanel::gridWhereQtChartsDrawsIt()
{
    const double end = m_history.latestTime();
    m_panel->refresh(m_history, end - 300, end);
    QCoreApplication::sendPostedEvents(); // the value axis's new ticks are laid out
    const QImage ours = m_panel->grab().toImage();
    const QRect plot = m_panel->mapFromScene(m_panel->chart()->plotArea()).boundingRect();
    int gridPixels = 0;
    for (int y = plot.top(); y <= plot.bottom(); ++y) {
        for (int x = plot.left(); x <= plot.right(); ++x)
            gridPixels += ours.pixel(x, y) == qRgb(0xe4, 0xe7, 0xeb) ? 1 : 0;
    }
    QVERIFY2(gridPixels > 3 * plot.width(),
             qPrintable(QString::number(gridPixels))); // 3 rows, 5 columns

    // Qt Charts' own grid lines, in red under ours: three pixels wide, they show on either side...
    const QList<QAbstractAxis *> axes = m_panel->chart()->axes();
    for (QAbstractAxis *axis : axes) {
        axis->setGridLinePen(QPen(Qt::red, 3));
        axis->setGridLineVisible(true);
    }
    QTRY_VERIFY(pixelsNear(m_panel->grab().toImage(), Qt::red) > 2 * plot.width());
    // ... one pixel wide, none shows: ours cover them exactly.
    for (QAbstractAxis *axis : axes)
        axis->setGridLinePen(QPen(Qt::red, 0));
    QCoreApplication::sendPostedEvents();
    QCOMPARE(m_panel->grab().toImage(), ours);
}

void tst_ChartPanel::hoverShowsTheValue()
{
    const double end = m_history.latestTime();
    m_panel->refresh(m_history, end - 300, end);
    // The last point of the 99th line, in the view's pixels.
    const QPointF last = m_panel->plottedPoints(1).constLast();
    const QPointF inChart =
        m_panel->chart()->mapToPosition(QPointF(0, last.y()), m_panel->chart()->series().at(1));
    const QPoint mouse =
        m_panel->mapFromScene(QPointF(m_panel->chart()->plotArea().right() - 1, inChart.y()));
    QTest::mouseMove(m_panel->viewport(), mouse);
    const QString time = QDateTime::fromMSecsSinceEpoch(qint64(last.x())).toString(u"HH:mm:ss"_s);
    QTRY_COMPARE(QToolTip::text(), u"99th\n%1   %2"_s.arg(time).arg(last.y()));
    QTest::mouseMove(m_panel->viewport(), QPoint(2, 2)); // far from any line
    QTRY_COMPARE(QToolTip::text(), QString());
}

void tst_ChartPanel::colours()
{
    QCOMPARE(ChartPanel::colorForRank(50), Blue);
    QCOMPARE(ChartPanel::colorForRank(99), Red);
    QVERIFY(ChartPanel::colorForRank(std::numeric_limits<double>::max())
            != ChartPanel::colorForRank(100));
    QVERIFY(ChartPanel::colorForRank(95) != ChartPanel::colorForRank(99));
    QSet<QRgb> palette;
    for (int n = 0; n < 10; ++n)
        palette.insert(ChartPanel::paletteColor(n).rgb());
    QCOMPARE(palette.size(), 10);
    QCOMPARE(ChartPanel::paletteColor(10), ChartPanel::paletteColor(0));
}

QTEST_MAIN(tst_ChartPanel)
#include "tst_chartpanel.moc"
