// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENT_SCRIPTEDSTATSSERVER_H
#define STATVENT_SCRIPTEDSTATSSERVER_H

#include <QByteArray>
#include <QHttpServer>
#include <QJsonObject>
#include <QMap>
#include <QObject>
#include <QUrl>
#include <QVariantMap>

#include <chrono>

class QTcpSocket;

/*!
 * For the dashboard's tests: a real HTTP server on an ephemeral loopback port that answers every
 * request with the next scripted answer (the last one repeats once the script runs out), so a
 * test can play a service that works, fails, stalls or talks nonsense.
 */
class ScriptedStatsServer : public QObject
{
    Q_OBJECT
public:
    struct Answer
    {
        QByteArray body;
        int status = 200;
        QByteArray contentType = "application/json";
        std::chrono::milliseconds delay{0}; //!< answer this much later
        bool silent = false; //!< never answer: the client waits for its own timeout
        //! When set, the headers are sent at once, then the body one byte per this much.
        std::chrono::milliseconds trickle{0};
    };

    explicit ScriptedStatsServer(QObject *parent = nullptr);

    //! Listens on 127.0.0.1, on a port the system picks. False if that fails.
    bool listen();
    QUrl url(const QString &path = QStringLiteral("/stats")) const;

    //! Answers the next request with \a answer, after the answers already queued.
    void enqueue(const Answer &answer);
    //! Forgets the queue: every request from now on gets \a answer.
    void answerAlways(const Answer &answer);

    int requestCount() const { return m_requests; }
    //! The query string of the last request (e.g. "by=process").
    QString lastQuery() const { return m_lastQuery; }

    //! A `?by=process` document: pid -> stats (name -> int or double), taken at \a timestamp.
    static QByteArray perProcessDocument(const QMap<qint64, QVariantMap> &processes,
                                         double timestamp, const QList<qint64> &unanswered = {});
    /*!
     * A process's entry of a `?by=process` document, as statvent-web writes one for a process
     * read over its socket: \a stats, and \a windows (name -> entry, see windowEntry()).
     */
    static QJsonObject socketProcess(const QVariantMap &stats, const QJsonObject &windows);
    //! The same document as perProcessDocument(), with each process's entry given whole.
    static QByteArray documentOfProcesses(const QMap<qint64, QJsonObject> &processes,
                                          double timestamp);
    /*!
     * A window's entry in `"windows"` (docs/HTTP-API.md): \a rows (label -> the row's stat name),
     * the count and sum of \a samples and, with \a withHistogram, their histogram.
     */
    static QJsonObject windowEntry(const QVariantMap &rows, const QList<double> &samples,
                                   bool withHistogram = true);
    //! A summed `GET /stats` document, as the original Python service serves it.
    static QByteArray summedDocument(const QVariantMap &stats, double timestamp);

Q_SIGNALS:
    void requested(int count);

private:
    static void trickle(QTcpSocket *socket, const Answer &answer);

    QHttpServer m_server;
    quint16 m_port = 0;
    QList<Answer> m_queue;
    Answer m_last;
    int m_requests = 0;
    QString m_lastQuery;
};

#endif
