# tfcert for instructors: grade a class's submissions on your own machine or a cluster.
#   docker build -t tfcert .
#   docker run --rm --init --network none -e TFCERT_SECRET \
#       -v "$PWD/submissions:/submissions:ro" -v "$PWD/gradebook:/out" \
#       tfcert batch task4 /submissions --out /out --db /out/tfcert.db
# README.md, section "Docker", says what each option is for.
FROM python:3.11-slim-bookworm

# bubblewrap: the isolation tool for training code (unshare, the other one, is in util-linux);
# libseccomp2: the library behind the children's seccomp filter.
# Not pinned to a version: Debian's security updates replace them, and a pinned one stops building.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends bubblewrap libseccomp2 \
    && rm -rf /var/lib/apt/lists/*

COPY . /tmp/tfcert
RUN pip install --no-cache-dir /tmp/tfcert && rm -rf /tmp/tfcert

# Submissions are untrusted: grade them as an unprivileged user, never as root.
RUN useradd --create-home --uid 1000 tfcert
USER 1000:1000
WORKDIR /home/tfcert
ENV TFCERT_DATA_DIR=/home/tfcert/data

ENTRYPOINT ["tfcert"]
CMD ["--help"]
