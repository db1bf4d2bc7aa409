"""Child process of the durability test: append batches forever, print each after its commit.

Usage: python _journal_writer.py DATABASE_URL SESSION_ID BATCH_SIZE

Batch ``n`` holds seqs ``(n-1)*B+1 .. n*B``; the line ``n`` is printed (and
flushed) only after :meth:`Journal.append` returned, i.e. after the commit.
A restarted writer continues after the last committed batch.
"""

from __future__ import annotations

import sys

from paperbroker.store.db import create_engine_for, session_factory
from paperbroker.store.journal import EncodedEvent, Journal


def main(url: str, session_id: str, batch_size: int) -> None:
    journal = Journal(session_factory(create_engine_for(url)))
    last = journal.last_seq(session_id)
    while True:
        batch_no = last // batch_size + 1
        batch = [
            EncodedEvent(seq, seq, "OrderSubmitted", 1, f'{{"batch":{batch_no},"seq":{seq}}}')
            for seq in range(last + 1, last + batch_size + 1)
        ]
        last = journal.append(session_id, batch)
        print(batch_no, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
