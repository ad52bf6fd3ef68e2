/**
 * Output sinks for layers that print dispatch entries themselves (the terminal
 * UI): the session's log file (`.logopen`) and transcript (`.record`). The
 * implementation lives with the transcript format in the session layer.
 */
export { sinkEntries } from '../session/transcript.js';
