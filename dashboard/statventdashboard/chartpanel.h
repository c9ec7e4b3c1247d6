// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENTDASHBOARD_CHARTPANEL_H
#define STATVENTDASHBOARD_CHARTPANEL_H

#include <QChartView>
#include <QColor>
#include <QList>
#include <QPointF>
#include <QString>

#include <memory>

namespace StatventDashboard {

class StatHistory;
class ChartPanelPrivate;

/*!
 * One live line chart: a few stats of a StatHistory over the last minutes, with a legend, a
 * unit on the value axis and the value under the mouse in a tool tip.
 *
 * Qt Charts draws the frame (title, axes, legend); a PlotLinesItem draws the grid, on the pixels
 * Qt Charts would use, and the lines. The
 * time axis counts back from the latest sweep ("−5 min" ... "now"), so it stays put while the
 * data slides, and the value axis only moves when the data leaves its range or shrinks well
 * inside it: most refreshes repaint the plot area and nothing else. Each refresh hands the lines
 * only what the plot can show: the points inside the window, thinned to the lowest and highest
 * of every three pixel columns, so no spike disappears.
 */
class ChartPanel : public QChartView
{
    Q_OBJECT
public:
    enum class Plot { Values, Rates };
    struct Line
    {
        QString name; //!< the stat
        QString label; //!< its legend entry
        Plot plot = Plot::Values;
        QColor color;
        friend bool operator==(const Line &, const Line &) = default;
    };

    explicit ChartPanel(QWidget *parent = nullptr);
    ~ChartPanel() override;

    QString title() const;
    void setTitle(const QString &title);
    QString unit() const;
    //! The value axis's title, e.g. "value" or "per second".
    void setUnit(const QString &unit);

    const QList<Line> &lines() const;
    //! Replaces the lines; the chart keeps its series when nothing changed.
    void setLines(const QList<Line> &lines);

    //! Shows the lines' points between \a windowStart and \a windowEnd (epoch seconds).
    void refresh(const StatHistory &history, double windowStart, double windowEnd);

    //! The points currently plotted for line \a line (x in ms since the epoch).
    QList<QPointF> plottedPoints(int line) const;
    //! The value axis's current range.
    std::pair<double, double> valueRange() const;
    //! The time axis's labels, left to right ("−4 min", ..., "now").
    QStringList timeLabels() const;

    //! A colour per percentile, the same on every chart: median blue, 99th red, mean green.
    static QColor colorForRank(double rank);
    //! The n-th colour of a palette of distinct, readable colours.
    static QColor paletteColor(int n);

private:
    std::unique_ptr<ChartPanelPrivate> d;
};

} // namespace StatventDashboard

#endif
