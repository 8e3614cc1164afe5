"""An SDDP worker process: `python -m vakhsh.sddp.worker FD` (started by
`vakhsh.sddp.parallel.WorkerPool`, FD its end of a socket pair)."""

import sys
from multiprocessing.connection import Connection

from vakhsh.sddp.parallel import serve

if __name__ == "__main__":
    serve(Connection(int(sys.argv[1])))
