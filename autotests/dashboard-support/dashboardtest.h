// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// What the dashboard's tests share.
#ifndef STATVENT_DASHBOARDTEST_H
#define STATVENT_DASHBOARDTEST_H

#include <QHostAddress>
#include <QImage>
#include <QList>
#include <QPointF>
#include <QSet>
#include <QTcpServer>

namespace DashboardTest {

//! The y of each point, to compare a series with a list of values.
inline QList<double> ys(const QList<QPointF> &points)
{
    QList<double> result;
    result.reserve(points.size());
    for (const QPointF &point : points)
        result.append(point.y());
    return result;
}

//! Colours in a rendering: a blank one has one or two, a window with text and lines hundreds.
inline int distinctColours(const QImage &image)
{
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 2) {
        for (int x = 0; x < image.width(); x += 2)
            colours.insert(image.pixel(x, y));
    }
    return int(colours.size());
}

//! A loopback port that was free a moment ago and now refuses connections.
inline quint16 closedLoopbackPort()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost))
        return 0;
    const quint16 port = server.serverPort();
    server.close();
    return port;
}

} // namespace DashboardTest

#endif
