// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include <statventdashboard/plotlinesitem.h>

#include <statventdashboard/numberformat.h>

#include <QDateTime>
#include <QGraphicsSceneHoverEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace StatventDashboard {

using namespace Qt::StringLiterals;

namespace {

// How close, in pixels, the mouse must be to a line for its tool tip.
constexpr double HoverDistance = 10;

} // namespace

PlotLinesItem::PlotLinesItem(QGraphicsItem *parent)
    : QGraphicsItem(parent)
{
    setAcceptHoverEvents(true);
    setZValue(10); // above the grid and the series Qt Charts draws
}

void PlotLinesItem::setPlotArea(const QRectF &area)
{
    if (area == m_area)
        return;
    prepareGeometryChange();
    m_area = area;
}

void PlotLinesItem::setRanges(double xMin, double xMax, double yMin, double yMax)
{
    m_x = {xMin, xMax > xMin ? xMax : xMin + 1};
    m_y = {yMin, yMax > yMin ? yMax : yMin + 1};
    update();
}

void PlotLinesItem::setGrid(const QList<double> &xs, const QList<double> &ys, const QColor &color)
{
    if (xs == m_gridXs && ys == m_gridYs && color == m_gridColor)
        return;
    m_gridXs = xs;
    m_gridYs = ys;
    m_gridColor = color;
    update();
}

QRectF PlotLinesItem::boundingRect() const
{
    return m_area;
}

QPointF PlotLinesItem::toPixels(const QPointF &value) const
{
    return {m_area.left() + (value.x() - m_x.min) / m_x.span() * m_area.width(),
            m_area.bottom() - (value.y() - m_y.min) / m_y.span() * m_area.height()};
}

void PlotLinesItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    if (m_area.isEmpty()) // the chart has not been laid out yet
        return;
    // On the pixels Qt Charts' own grid lines would take, inside the plot area, so that a line
    // on its edge is not clipped away.
    const int left = int(std::floor(m_area.left()));
    const int top = int(std::floor(m_area.top()));
    const int right = int(std::ceil(m_area.right())) - 1;
    const int bottom = int(std::ceil(m_area.bottom())) - 1;
    for (double x : std::as_const(m_gridXs)) {
        const int column =
            std::clamp(int(std::floor(m_area.left() + x * m_area.width())), left, right);
        painter->fillRect(column, top, 1, bottom - top + 1, m_gridColor);
    }
    for (double y : std::as_const(m_gridYs)) {
        const int row =
            std::clamp(int(std::floor(m_area.bottom() - y * m_area.height())), top, bottom);
        painter->fillRect(left + 1, row, right - left, 1,
                          m_gridColor); // the value axis line is at left
    }
    painter->save();
    painter->setClipRect(m_area.adjusted(-1, -1, 1, 1));
    painter->setRenderHint(QPainter::Antialiasing);
    for (const Line &line : std::as_const(m_lines)) {
        m_polyline.resize(line.points.size());
        std::transform(line.points.cbegin(), line.points.cend(), m_polyline.begin(),
                       [this](const QPointF &point) { return toPixels(point); });
        // A one-pixel pen keeps QPainter on its fast path: a wider one costs ten times more.
        painter->setPen(QPen(line.color, 1));
        painter->drawPolyline(m_polyline);
    }
    painter->restore();
}

void PlotLinesItem::hoverMoveEvent(QGraphicsSceneHoverEvent *event)
{
    const QPointF mouse = event->pos();
    const double x = m_x.min + (mouse.x() - m_area.left()) / m_area.width() * m_x.span();
    const Line *nearestLine = nullptr;
    QPointF nearest;
    double nearestDistance = HoverDistance;
    for (const Line &line : std::as_const(m_lines)) {
        auto it =
            std::lower_bound(line.points.cbegin(), line.points.cend(), x,
                             [](const QPointF &point, double value) { return point.x() < value; });
        // The point on either side of the mouse, whichever is nearer.
        for (auto candidate : {it, it == line.points.cbegin() ? it : it - 1}) {
            if (candidate == line.points.cend())
                continue;
            const double distance = QLineF(toPixels(*candidate), mouse).length();
            if (distance < nearestDistance) {
                nearestDistance = distance;
                nearestLine = &line;
                nearest = *candidate;
            }
        }
    }
    if (!nearestLine) {
        QToolTip::hideText();
        return;
    }
    const QString time =
        QDateTime::fromMSecsSinceEpoch(qint64(nearest.x())).toString(u"HH:mm:ss"_s);
    const QString value =
        nearestLine->rate ? NumberFormat::rate(nearest.y()) : NumberFormat::number(nearest.y());
    QToolTip::showText(event->screenPos(), nearestLine->label + u'\n' + time + u"   "_s + value);
}

void PlotLinesItem::hoverLeaveEvent(QGraphicsSceneHoverEvent *)
{
    QToolTip::hideText();
}

} // namespace StatventDashboard
