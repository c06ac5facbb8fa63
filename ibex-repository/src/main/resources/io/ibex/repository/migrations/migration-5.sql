-- Schema version 5: the daemons known to the repository. A daemon registers itself when it has taken the
-- repository's daemon lock, renews heartbeat (the repository's clock) every few seconds, and deletes its row when it
-- stops cleanly. backend_pid is its main repository session, the one that holds the daemon lock: a row whose session
-- no longer holds the lock belongs to a daemon that is gone (killed, crashed, its host lost). 'ibex stop' sets
-- stop_requested (and notifies ibex_control); the daemon polls its row too, so no notice can be missed.
CREATE TABLE ibex.daemon (
    name           text PRIMARY KEY,
    host           text NOT NULL,
    pid            bigint NOT NULL,
    version        text NOT NULL,
    piddir         text,
    backend_pid    integer NOT NULL,
    started        timestamptz NOT NULL DEFAULT now(),
    heartbeat      timestamptz NOT NULL DEFAULT now(),
    stop_requested timestamptz,
    stop_reason    text
);
