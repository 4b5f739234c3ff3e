#pragma once

#include <QByteArray>

// The Lua scripts the session store runs in Redis, from resources/redis/*.lua (compiled in as Qt
// resources), each read once. Every script works on one session's keys (one hash slot).
namespace LearnPulse::RedisScripts {

const QByteArray &turn(); // one message: record, count a signal, claim escalation
const QByteArray &finish(); // store the ticket of a claim
const QByteArray &release(); // give a claim back
const QByteArray &rate(); // count a message in the user's minute
const QByteArray &takeBack(); // undo a turn over the rate limit
const QByteArray &restore(); // write a conversation kept in memory back to a server that lost it
const QByteArray &setContext(); // change class, student and scope
const QByteArray &feedback(); // a thumbs up or down on a reply; a thumbs-down is a signal
const QByteArray &withdraw(); // take a signal back ("that was not a complaint")
const QByteArray &offer(); // answer the offer of a ticket

} // namespace LearnPulse::RedisScripts
