// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "scriptedstatsserver.h"

#include <statvent/histogram.h>

#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTimer>

#include <memory>

using namespace Qt::StringLiterals;

ScriptedStatsServer::ScriptedStatsServer(QObject *parent)
    : QObject(parent)
{
    m_last.body = R"({"message": "nothing scripted"})";
    m_last.status = 500;
    m_server.setMissingHandler(
        [this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
            ++m_requests;
            m_lastQuery = request.query().toString();
            if (!m_queue.isEmpty())
                m_last = m_queue.takeFirst();
            const Answer answer = m_last;
            Q_EMIT requested(m_requests);
            if (answer.silent)
                return;
            if (answer.trickle.count() > 0) {
                trickle(responder.socket(), answer);
                return;
            }
            auto write = [answer](QHttpServerResponder &to) {
                to.write(answer.body, answer.contentType,
                         QHttpServerResponder::StatusCode(answer.status));
            };
            if (answer.delay.count() == 0) {
                write(responder);
                return;
            }
            // The socket is the timer's context: a client that hung up meanwhile cancels the answer
            // (writing to its deleted socket would crash QHttpServer 6.4).
            QTcpSocket *socket = responder.socket();
            auto deferred = std::make_shared<QHttpServerResponder>(std::move(responder));
            QTimer::singleShot(answer.delay, socket, [deferred, write] { write(*deferred); });
        });
}

void ScriptedStatsServer::trickle(QTcpSocket *socket, const Answer &answer)
{
    // Written past QHttpServerResponder, which sends a whole answer at once. The socket is the
    // timer's parent: a client that hangs up stops the trickle.
    socket->write("HTTP/1.1 " + QByteArray::number(answer.status)
                  + " Scripted\r\nContent-Type: " + answer.contentType
                  + "\r\nContent-Length: " + QByteArray::number(answer.body.size()) + "\r\n\r\n");
    auto *timer = new QTimer(socket);
    auto sent = std::make_shared<qsizetype>(0);
    connect(timer, &QTimer::timeout, socket, [socket, timer, body = answer.body, sent] {
        socket->write(body.mid((*sent)++, 1));
        if (*sent == body.size())
            timer->stop();
    });
    timer->start(answer.trickle);
}

bool ScriptedStatsServer::listen()
{
    m_port = m_server.listen(QHostAddress::LocalHost, 0);
    return m_port != 0;
}

QUrl ScriptedStatsServer::url(const QString &path) const
{
    return QUrl(u"http://127.0.0.1:%1%2"_s.arg(m_port).arg(path));
}

void ScriptedStatsServer::enqueue(const Answer &answer)
{
    m_queue.append(answer);
}

void ScriptedStatsServer::answerAlways(const Answer &answer)
{
    m_queue.clear();
    m_last = answer;
}

QByteArray ScriptedStatsServer::perProcessDocument(const QMap<qint64, QVariantMap> &processes,
                                                   double timestamp,
                                                   const QList<qint64> &unanswered)
{
    QJsonObject byPid;
    for (auto it = processes.cbegin(); it != processes.cend(); ++it)
        byPid.insert(QString::number(it.key()),
                     QJsonObject{{u"stats"_s, QJsonObject::fromVariantMap(it.value())},
                                 {u"rejectedLines"_s, 0}});
    QJsonArray late;
    for (qint64 pid : unanswered)
        late.append(pid);
    const QJsonObject root{{u"processes"_s, byPid},
                           {u"unanswered"_s, late},
                           {u"removed"_s, QJsonArray()},
                           {u"timestamp"_s, timestamp}};
    return QJsonDocument(root).toJson(QJsonDocument::Compact);
}

QJsonObject ScriptedStatsServer::socketProcess(const QVariantMap &stats, const QJsonObject &windows)
{
    return {{u"stats"_s, QJsonObject::fromVariantMap(stats)},
            {u"windows"_s, windows},
            {u"channel"_s, u"socket"_s},
            {u"rejectedLines"_s, 0}};
}

QByteArray ScriptedStatsServer::documentOfProcesses(const QMap<qint64, QJsonObject> &processes,
                                                    double timestamp)
{
    QJsonObject byPid;
    for (auto it = processes.cbegin(); it != processes.cend(); ++it)
        byPid.insert(QString::number(it.key()), it.value());
    const QJsonObject root{{u"processes"_s, byPid},
                           {u"unanswered"_s, QJsonArray()},
                           {u"removed"_s, QJsonArray()},
                           {u"timestamp"_s, timestamp}};
    return QJsonDocument(root).toJson(QJsonDocument::Compact);
}

QJsonObject ScriptedStatsServer::windowEntry(const QVariantMap &rows, const QList<double> &samples,
                                             bool withHistogram)
{
    const Statvent::Histogram histogram = Statvent::Histogram::fromSamples(samples);
    QJsonObject entry{{u"rows"_s, QJsonObject::fromVariantMap(rows)},
                      {u"count"_s, histogram.count()},
                      {u"sum"_s, histogram.sum()}};
    if (!withHistogram)
        return entry;
    const auto buckets = [](const QList<Statvent::Histogram::Bucket> &list) {
        QJsonArray pairs;
        for (const Statvent::Histogram::Bucket &bucket : list)
            pairs.append(QJsonArray{bucket.index, bucket.count});
        return pairs;
    };
    entry.insert(u"histogram"_s,
                 QJsonObject{{u"scale"_s, Statvent::Histogram::Scale},
                             {u"zeroCount"_s, histogram.zeroCount()},
                             {u"min"_s, histogram.min()},
                             {u"max"_s, histogram.max()},
                             {u"negative"_s, buckets(histogram.negativeBuckets())},
                             {u"positive"_s, buckets(histogram.positiveBuckets())}});
    return entry;
}

QByteArray ScriptedStatsServer::summedDocument(const QVariantMap &stats, double timestamp)
{
    const QJsonObject root{{u"stats"_s, QJsonObject::fromVariantMap(stats)},
                           {u"timestamp"_s, timestamp}};
    return QJsonDocument(root).toJson(QJsonDocument::Compact);
}
