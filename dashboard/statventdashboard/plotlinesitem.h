// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENTDASHBOARD_PLOTLINESITEM_H
#define STATVENTDASHBOARD_PLOTLINESITEM_H

#include <QColor>
#include <QGraphicsItem>
#include <QList>
#include <QPointF>
#include <QString>

namespace StatventDashboard {

/*!
 * The lines of a ChartPanel, drawn straight onto its plot area.
 *
 * Qt Charts' own QLineSeries recomputes a stroked outline of every line each time its points or
 * its axes change, and relays the chart out: about 50 ms per five-line chart on our machines,
 * far too slow for fifty live charts. This item only stores the points and maps them to pixels
 * when painted, with a one-pixel pen that QPainter draws on its fast path.
 *
 * It draws the grid too, as one-pixel rectangles: every poll repaints the whole plot area, and
 * Qt Charts' grid (a QGraphicsLineItem per line, the vertical ones stroked row by row) cost two
 * thirds as much as filling the background under it.
 */
class PlotLinesItem : public QGraphicsItem
{
public:
    struct Line
    {
        QString label;
        QColor color;
        bool rate = false; //!< shown as "/s" in the tool tip
        QList<QPointF> points; //!< x in ms since the epoch, in time order
    };

    explicit PlotLinesItem(QGraphicsItem *parent = nullptr);

    //! Where to draw, in scene coordinates: the chart's plot area.
    void setPlotArea(const QRectF &area);
    //! The data range the plot area shows: x in ms since the epoch.
    void setRanges(double xMin, double xMax, double yMin, double yMax);
    /*!
     * The grid, under the lines: vertical lines at \a xs and horizontal ones at \a ys, each a
     * share of the plot area's width or height (0 = left or bottom, 1 = right or top).
     */
    void setGrid(const QList<double> &xs, const QList<double> &ys, const QColor &color);
    const QList<Line> &lines() const { return m_lines; }
    QList<Line> &lines() { return m_lines; }
    //! To call after changing lines(): repaints.
    void linesChanged() { update(); }

    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

protected:
    void hoverMoveEvent(QGraphicsSceneHoverEvent *event) override;
    void hoverLeaveEvent(QGraphicsSceneHoverEvent *event) override;

private:
    QPointF toPixels(const QPointF &value) const;

    //! The data shown along one axis; never empty (setRanges() widens an empty one).
    struct Range
    {
        double min = 0;
        double max = 1;

        double span() const { return max - min; }
    };

    QRectF m_area;
    Range m_x;
    Range m_y;
    QList<Line> m_lines;
    QList<double> m_gridXs;
    QList<double> m_gridYs;
    QColor m_gridColor;
    QPolygonF m_polyline; // reused by paint()
};

} // namespace StatventDashboard

#endif
