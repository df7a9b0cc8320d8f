"""The core: sourced answers from a knowledge base, with no knowledge of Discord.

``KnowledgeBase`` is the one entrance for the bot, the command line and the
benchmarks: a method per thing a member or rep can do, each one transaction.
The stores and the matcher behind it are private; the models
(``knowledge.models``), errors (``knowledge.errors``), settings
(``knowledge.settings``) and pure text helpers may be imported directly, as may
``read_fact_rows``, which reads a file of facts for ``KnowledgeBase.merge_facts``.
"""

from threadpoolctl import threadpool_limits

from knowledge.backups import BackupFolder, check_backup_dir
from knowledge.base import (
    KnowledgeBase,
    OfferedPassage,
    PassageDraft,
    QuotedParagraph,
    Reply,
    Resolution,
    Subscription,
)
from knowledge.fact_rows import read_fact_rows
from knowledge.settings import InvalidSetting, KnowledgeSettings

# numpy is loaded by now. A question's products (its closeness to every fact or
# passage) are too small to share between threads: OpenBLAS's threads, contending
# with the bot's own and with anything else on the machine, made one question's
# closeness to 10,000 facts take 15 ms instead of 0.3 ms.
threadpool_limits(limits=1, user_api="blas")

__all__ = [
    "BackupFolder",
    "InvalidSetting",
    "KnowledgeBase",
    "KnowledgeSettings",
    "OfferedPassage",
    "PassageDraft",
    "QuotedParagraph",
    "Reply",
    "Resolution",
    "Subscription",
    "check_backup_dir",
    "read_fact_rows",
]
