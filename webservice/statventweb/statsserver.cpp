// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include <statventweb/statsserver.h>

#include <statventweb/guardedtcpserver.h>
#include <statventweb/jsonwriter.h>
#include <statventweb/pipecollector.h>
#include <statventweb/prometheuswriter.h>
#include <statventweb/statcombiner.h>

#include <QHash>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QTcpSocket>
#include <QUrlQuery>

#include <algorithm>
#include <deque>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

namespace StatventWeb {

namespace {

using StatusCode = QHttpServerResponder::StatusCode;

constexpr char JsonType[] = "application/json";

enum class Route : quint8 { Stats, Metrics, Health };

//! What a request for statistics asks for.
struct View
{
    Route route = Route::Stats;
    bool byProcess = false;
    StatCombiner::Mode mode = StatCombiner::Mode::Sum;
    JsonWriter::Histograms histograms = JsonWriter::Histograms::Omitted;

    //! Tells apart the documents rendered from one sweep.
    int cacheKey() const
    {
        return int(route) << 5 | int(histograms) << 4 | int(byProcess) << 3 | int(mode);
    }
};

//! The view a query asks for, or the reason it is refused.
struct ParsedQuery
{
    View view;
    QString error;
};

ParsedQuery parseQuery(const QUrlQuery &query, Route route)
{
    ParsedQuery parsed;
    parsed.view.route = route;
    QStringList given; // an unknown parameter is refused the first time: only known ones repeat
    for (const auto &[key, value] : query.queryItems(QUrl::FullyDecoded)) {
        if (given.contains(key)) {
            parsed.error = QStringLiteral("%1 is given more than once").arg(key);
            return parsed;
        }
        given.append(key);
        if (key == u"aggregate") {
            const std::optional<StatCombiner::Mode> mode = StatCombiner::modeFromName(value);
            if (!mode) {
                parsed.error =
                    QStringLiteral("unknown aggregate \"%1\": use sum, max, min or avg").arg(value);
                return parsed;
            }
            parsed.view.mode = *mode;
        } else if (key == u"by") {
            if (value != u"process") {
                parsed.error =
                    QStringLiteral("unknown view by=\"%1\": the only one is by=process").arg(value);
                return parsed;
            }
            parsed.view.byProcess = true;
        } else if (key == u"histograms" && route == Route::Stats) {
            if (value != u"1" && value != u"0") {
                parsed.error =
                    QStringLiteral("unknown histograms=\"%1\": use histograms=1 or histograms=0")
                        .arg(value);
                return parsed;
            }
            parsed.view.histograms =
                value == u"1" ? JsonWriter::Histograms::Included : JsonWriter::Histograms::Omitted;
        } else {
            parsed.error = route == Route::Stats
                ? QStringLiteral("unknown query parameter \"%1\": use aggregate=sum|max|min|avg, "
                                 "by=process or histograms=1")
                      .arg(key)
                : QStringLiteral(
                      "unknown query parameter \"%1\": use aggregate=sum|max|min|avg or by=process")
                      .arg(key);
            return parsed;
        }
    }
    if (given.contains(u"aggregate") && given.contains(u"by"))
        parsed.error =
            QStringLiteral("by=process shows each process's own values: it takes no aggregate");
    return parsed;
}

using Headers = QList<std::pair<QByteArray, QByteArray>>;

Headers jsonHeaders()
{
    return {{"Content-Type", JsonType}, {"Cache-Control", "no-store"}};
}

} // namespace

class StatsServerPrivate
{
public:
    /*!
     * The answer to one request of a connection. Answers go out in the order of the requests
     * (RFC 9112 9.3.2), so one that is ready waits behind an earlier one that waits for the sweep.
     */
    struct Answer
    {
        Answer(QHttpServerResponder &&responder_, bool head_)
            : responder(std::move(responder_))
            , head(head_)
        {
        }

        QHttpServerResponder responder;
        bool head = false; //!< the request was HEAD: the headers GET would get, no body
        bool waitsForSweep = false;
        View view; //!< what it asks for, if it waits for the sweep
        StatusCode status = StatusCode::Ok;
        Headers headers;
        QByteArray body;
    };
    //! The answers not yet written to one connection, oldest first.
    using AnswerQueue = std::deque<Answer>;

    void enqueue(QTcpSocket *socket, Answer answer);
    //! Writes the answers of \a socket that are ready, up to the first that is not.
    void writeReady(QTcpSocket *socket);
    void answerWaiting(const std::shared_ptr<const SweepResult> &result);
    const QByteArray &render(const View &view, const std::shared_ptr<const SweepResult> &result);

    StatsServer *q = nullptr;
    PipeCollector *collector = nullptr;
    QString statsPath = StatsServer::DefaultStatsPath;
    QString errorString;
    quint16 port = 0;
    GuardedTcpServer::Limits limits;
    std::vector<GuardedTcpServer *> listeners; //!< children of the server
    //! Connections with answers not written yet. A key is removed when its socket is destroyed,
    //! before the pointer could dangle (QHttpServerResponder keeps it raw).
    std::unordered_map<QTcpSocket *, AnswerQueue> queues;
    //! Documents rendered from the last sweep: requests that share a sweep share its documents.
    std::shared_ptr<const SweepResult> renderedResult;
    QHash<int, QByteArray> rendered;
};

void StatsServerPrivate::enqueue(QTcpSocket *socket, Answer answer)
{
    const auto [queue, inserted] = queues.try_emplace(socket);
    if (inserted)
        QObject::connect(socket, &QObject::destroyed, q, [this, socket] { queues.erase(socket); });
    queue->second.push_back(std::move(answer));
    writeReady(socket);
}

void StatsServerPrivate::writeReady(QTcpSocket *socket)
{
    const auto found = queues.find(socket);
    if (found == queues.end())
        return;
    AnswerQueue &queue = found->second;
    // The client may have hung up meanwhile: writing through the responder would then use a
    // socket that is closing, or gone.
    if (socket->state() != QAbstractSocket::ConnectedState) {
        queue.clear();
        return;
    }
    while (!queue.empty() && !queue.front().waitsForSweep) {
        Answer &answer = queue.front();
        answer.responder.writeStatusLine(answer.status);
        for (const auto &[name, value] : std::as_const(answer.headers))
            answer.responder.writeHeader(name, value);
        // A HEAD answer says how long the body would be, and leaves it out (RFC 9110 9.3.2).
        answer.responder.writeHeader("Content-Length", QByteArray::number(answer.body.size()));
        answer.responder.writeBody(answer.head ? QByteArray() : answer.body);
        queue.pop_front();
        // Tells the connection's guard that this answer is out: it closes the connection if
        // the request asked to, and then answers nothing more on it.
        if (GuardedTcpServer *guard = GuardedTcpServer::of(socket))
            guard->answered(socket);
        if (socket->state() != QAbstractSocket::ConnectedState) {
            queue.clear();
            return;
        }
    }
}

void StatsServerPrivate::answerWaiting(const std::shared_ptr<const SweepResult> &result)
{
    std::vector<QTcpSocket *> sockets;
    for (auto &[socket, queue] : queues) {
        for (Answer &answer : queue) {
            if (!answer.waitsForSweep)
                continue;
            answer.waitsForSweep = false;
            answer.body = render(answer.view, result);
            answer.headers = answer.view.route == Route::Metrics
                ? Headers{{"Content-Type", PrometheusWriter::ContentType.toByteArray()},
                          {"Cache-Control", "no-store"}}
                : jsonHeaders();
        }
        sockets.push_back(socket);
    }
    // Writing may close a connection, and so remove its queue: not while iterating over them.
    for (QTcpSocket *socket : sockets)
        writeReady(socket);
}

const QByteArray &StatsServerPrivate::render(const View &view,
                                             const std::shared_ptr<const SweepResult> &result)
{
    if (renderedResult != result) {
        rendered.clear();
        renderedResult = result;
    }
    const auto found = rendered.constFind(view.cacheKey());
    if (found != rendered.constEnd())
        return *found;
    QByteArray body;
    if (view.route == Route::Metrics)
        body = view.byProcess ? PrometheusWriter::byProcess(*result)
                              : PrometheusWriter::combined(*result, view.mode);
    else
        body = view.byProcess ? JsonWriter::byProcess(*result, view.histograms)
                              : JsonWriter::stats(*result, view.mode, view.histograms);
    return *rendered.insert(view.cacheKey(), body);
}

StatsServer::StatsServer(PipeCollector *collector, QObject *parent)
    : QAbstractHttpServer(parent)
    , d(std::make_unique<StatsServerPrivate>())
{
    d->q = this;
    d->collector = collector;
    connect(collector, &PipeCollector::sweepFinished, this,
            [this](const std::shared_ptr<const SweepResult> &result) { d->answerWaiting(result); });
}

StatsServer::~StatsServer() = default;

QString StatsServer::statsPath() const
{
    return d->statsPath;
}

bool StatsServer::setStatsPath(const QString &path)
{
    if (!checkStatsPath(path).isEmpty())
        return false;
    d->statsPath = path;
    return true;
}

QString StatsServer::checkStatsPath(const QString &path)
{
    if (!path.startsWith(u'/'))
        return QStringLiteral("the path must start with '/'");
    if (path.contains(u'?') || path.contains(u'#'))
        return QStringLiteral("the path must not contain '?' or '#'");
    if (path == MetricsPath || path == HealthPath)
        return QStringLiteral("%1 is taken by another route").arg(path);
    return {};
}

bool StatsServer::startListening(const QHostAddress &address, quint16 port)
{
    auto *server = new GuardedTcpServer(this);
    server->setLimits(d->limits);
    server->setErrorBody(JsonType,
                         [](QStringView message) { return JsonWriter::message(message, {}); });
    if (!server->listen(address, port)) {
        d->errorString = server->errorString();
        delete server;
        return false;
    }
    d->port = server->serverPort();
    d->listeners.push_back(server);
    bind(server);
    return true;
}

GuardedTcpServer::Limits StatsServer::limits() const
{
    return d->limits;
}

void StatsServer::setLimits(const GuardedTcpServer::Limits &limits)
{
    d->limits = limits.bounded();
    for (GuardedTcpServer *listener : d->listeners)
        listener->setLimits(d->limits);
}

int StatsServer::connectionCount() const
{
    int count = 0;
    for (const GuardedTcpServer *listener : d->listeners)
        count += listener->connectionCount();
    return count;
}

quint16 StatsServer::port() const
{
    return d->port;
}

QString StatsServer::errorString() const
{
    return d->errorString;
}

bool StatsServer::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    // Every request ends here first (missingHandler() comes after): the connection is busy
    // until its answer is written.
    if (GuardedTcpServer *guard = GuardedTcpServer::of(socket))
        guard->requestReceived(socket, request);
    const QString path = request.url().path();
    Route route;
    if (path == d->statsPath)
        route = Route::Stats;
    else if (path == MetricsPath)
        route = Route::Metrics;
    else if (path == HealthPath)
        route = Route::Health;
    else
        return false; // missingHandler() answers 404

    const bool head = request.method() == QHttpServerRequest::Method::Head;
    StatsServerPrivate::Answer answer(makeResponder(request, socket), head);
    if (request.method() != QHttpServerRequest::Method::Get && !head) {
        answer.status = StatusCode::MethodNotAllowed;
        answer.headers = jsonHeaders();
        answer.headers.append(std::pair<QByteArray, QByteArray>("Allow", "GET, HEAD"));
        answer.body = JsonWriter::message(u"Method not allowed", path);
    } else if (route == Route::Health) {
        answer.headers = jsonHeaders();
        answer.body = QByteArrayLiteral("{\"status\":\"ok\"}");
    } else if (const ParsedQuery parsed = parseQuery(request.query(), route);
               !parsed.error.isEmpty()) {
        answer.status = StatusCode::BadRequest;
        answer.headers = jsonHeaders();
        answer.body = JsonWriter::message(parsed.error, path);
    } else {
        // The request object is reused once this returns: everything needed later is copied now.
        answer.waitsForSweep = true;
        answer.view = parsed.view;
        d->collector->requestSweep();
    }
    d->enqueue(socket, std::move(answer));
    return true;
}

void StatsServer::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    StatsServerPrivate::Answer answer(makeResponder(request, socket),
                                      request.method() == QHttpServerRequest::Method::Head);
    answer.status = StatusCode::NotFound;
    answer.headers = jsonHeaders();
    answer.body =
        JsonWriter::message(u"The requested resource was not found", request.url().path());
    d->enqueue(socket, std::move(answer));
}

} // namespace StatventWeb
