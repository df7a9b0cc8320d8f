# The Discord bot in a container; see the README's "Deploy" section:
#   docker build -t shared-services-bot .
#   docker run -d --name shared-services-bot --restart unless-stopped \
#     --env-file .env -v shared-services-bot-data:/app/data shared-services-bot
# It lives at the top of the repository because the whole project is its
# build context, so `docker build .` (and hosts that look for a Dockerfile) just work.
FROM python:3.11-slim-bookworm

# A dedicated user with no login and no home of its own; fixed ids, so that a
# folder bind-mounted as /app/data can be given to it with `chown 10001:10001`.
RUN groupadd --system --gid 10001 bot \
 && useradd --system --uid 10001 --gid bot --home-dir /app --no-create-home \
      --shell /usr/sbin/nologin bot

WORKDIR /app
COPY . .

# The README's set-up command, pinned to the tested versions as .ci/run does.
# Its question is answered against a throwaway database, so an image that
# cannot answer fails to build and no root-owned database ends up in /app/data.
# The code and the venv stay root's: the bot can write only its data folder.
RUN python3 -m venv .venv \
 && .venv/bin/pip install -q --no-cache-dir -c constraints.txt -e . \
 && .venv/bin/python run_bot.py --db /tmp/build-check.db ask "Who owns SSCL?" \
 && rm -f /tmp/build-check.db* \
 && install -d -o bot -g bot -m 700 data

# data/knowledge.db is both the code's default and .env.example's value, so the
# database lands on the volume whatever DATABASE_PATH a copied .env holds.
ENV DATABASE_PATH=/app/data/knowledge.db
VOLUME /app/data
USER bot

# Opens the volume's knowledge base the way answering does (migrations, curated
# facts, matcher index) and lists its sources. Not `ask`: every question asked
# is counted in the statistics reps see, and a probe must leave no trace.
HEALTHCHECK --interval=2m --timeout=30s --start-period=1m --retries=3 \
  CMD [".venv/bin/python", "run_bot.py", "sources", "list"]

# Ctrl-C is the stop the bot handles: it closes its Discord connection and the
# database and exits 0. Python as PID 1 would otherwise ignore SIGTERM.
STOPSIGNAL SIGINT
CMD [".venv/bin/python", "run_bot.py", "run"]
