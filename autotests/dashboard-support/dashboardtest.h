// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// What the dashboard's tests share.
#ifndef STATVENT_DASHBOARDTEST_H
#define STATVENT_DASHBOARDTEST_H

#include "scriptedstatsserver.h"

#include <statvent/aggregates.h>

#include <QHostAddress>
#include <QImage>
#include <QList>
#include <QPointF>
#include <QSet>
#include <QTcpServer>

#include <tuple>

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

/*!
 * A `?by=process` document at \a timestamp: two socket processes with a window "rpc" whose rows
 * (`rpc_p50`, `rpc_p99`) no label parsing could read, holding 100 samples of 1..2 ms (pid 101)
 * and of 100..1000 ms (pid 102), and a counter "jobs"; with \a fifoProcess, also an original
 * writer over its FIFO (pid 103) reporting "disk.median" and "disk.95th", and, with \a fifoRpc,
 * rows of rpc of its own.
 */
inline QByteArray windowDocument(double timestamp, bool fifoProcess, bool fifoRpc = false)
{
    using namespace Qt::StringLiterals;
    const QVariantMap rows{{u"median"_s, u"rpc_p50"_s}, {u"99th"_s, u"rpc_p99"_s}};
    QMap<qint64, QJsonObject> processes;
    for (const auto &[pid, from, to] :
         {std::tuple(101, 1.0, 2.0), std::tuple(102, 100.0, 1000.0)}) {
        QList<double> samples;
        for (int i = 0; i < 100; ++i)
            samples.append(from + (to - from) * i / 99);
        const QVariantMap stats{{u"rpc_p50"_s, Statvent::Aggregates::percentile(samples, 50)},
                                {u"rpc_p99"_s, Statvent::Aggregates::percentile(samples, 99)},
                                {u"jobs"_s, qint64(timestamp)}};
        processes.insert(pid,
                         ScriptedStatsServer::socketProcess(
                             stats, {{u"rpc"_s, ScriptedStatsServer::windowEntry(rows, samples)}}));
    }
    if (fifoProcess) {
        QVariantMap stats{{u"disk.median"_s, 3}, {u"disk.95th"_s, 9}};
        if (fifoRpc)
            stats.insert({{u"rpc_p50"_s, 5}, {u"rpc_p99"_s, 6}});
        processes.insert(103,
                         QJsonObject{{u"stats"_s, QJsonObject::fromVariantMap(stats)},
                                     {u"windows"_s, QJsonObject()},
                                     {u"channel"_s, u"fifo"_s}});
    }
    return ScriptedStatsServer::documentOfProcesses(processes, timestamp);
}

} // namespace DashboardTest

#endif
