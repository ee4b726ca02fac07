// The full-screen chat (ink 6 + react 19, no JSX): a scrolling transcript with
// Markdown and highlighted code, answers drawn as they stream in, and an input
// line. Ctrl+C quits, Ctrl+L clears, PgUp/PgDn/↑/↓ scroll, Escape returns to
// the input (at the bottom). With -e, the commands of an answer are judged,
// confirmed with y, and run through validate → sandbox.
import type { ChatSession } from './chat-session.js';
import type { ExecOptions } from './chat-exec.js';
import type { RenderMarkdown } from './markdown.js';

interface Item {
  role: 'user' | 'assistant' | 'note';
  text: string;
}

type Mode = 'input' | 'scroll' | 'confirm';

export async function fullScreenChat(session: ChatSession, exec: ExecOptions | undefined, colour: boolean): Promise<number> {
  const [React, ink, { default: TextInput }, { loadMarkdown }, { saveHistory }] = await Promise.all([
    import('react'),
    import('ink'),
    import('ink-text-input'),
    import('./markdown.js'),
    import('./chat-lines.js'),
  ]);
  const plainWrap = (text: string, width: number) => text.split('\n').flatMap((l) => (l.length <= width ? [l] : l.match(new RegExp(`.{1,${width}}`, 'g')) ?? ['']));
  // The screen comes up at once; Markdown rendering joins when its libraries are loaded.
  let renderer: Awaited<ReturnType<typeof loadMarkdown>> | undefined;
  const ready = loadMarkdown(colour).then((r) => (renderer = r));
  const md = (text: string, width: number) => (renderer ? renderer.render(text, width) : plainWrap(text, width));
  const wrap = (text: string, width: number) => (renderer ? renderer.wrap(text, width) : plainWrap(text, width));
  // Rendered lines per item and width: while an answer streams, only that item is rendered again.
  const rendered = new WeakMap<Item, { width: number; md: boolean; lines: string[] }>();
  const itemLines = (it: Item, width: number): string[] => {
    const hit = rendered.get(it);
    if (hit && hit.width === width && hit.md === Boolean(renderer)) return hit.lines;
    const lines =
      it.role === 'user' ? wrap(`${colour ? '\x1b[1;36m' : ''}you ›${colour ? '\x1b[0m' : ''} ${it.text}`, width)
      : it.role === 'assistant' ? (it.text ? md(it.text, width) : ['…'])
      : wrap(colour ? `\x1b[2m${it.text}\x1b[22m` : it.text, width);
    rendered.set(it, { width, md: Boolean(renderer), lines });
    return lines;
  };
  const h = React.createElement;
  const { Box, Text, useApp, useInput, useStdout } = ink;

  function Chat(): ReturnType<typeof h> {
    const { exit } = useApp();
    const { stdout } = useStdout();
    const [size, setSize] = React.useState({ cols: stdout.columns || 80, rows: stdout.rows || 24 });
    const [items, setItems] = React.useState<Item[]>([]);
    const [input, setInput] = React.useState('');
    const [mode, setMode] = React.useState<Mode>('input');
    const [offset, setOffset] = React.useState(0);
    // Input opens once the Markdown renderer is loaded (its import blocks the event loop for a moment).
    const [busy, setBusy] = React.useState<string | undefined>(renderer ? undefined : 'starting…');
    React.useEffect(() => void ready.then(() => setBusy(undefined)), []);
    // The input stays focused (toggling focus can drop keys typed at that moment); Enter waits while busy.
    const busyRef = React.useRef(busy);
    busyRef.current = busy;
    const pending = React.useRef<string[] | undefined>(undefined);
    const turn = React.useRef<AbortController | undefined>(undefined);

    React.useEffect(() => {
      const onResize = () => setSize({ cols: stdout.columns || 80, rows: stdout.rows || 24 });
      stdout.on('resize', onResize);
      return () => void stdout.off('resize', onResize);
    }, [stdout]);

    // Appends to the last item of a role, redrawing at most every 30 ms while text streams in.
    const buffer = React.useRef<{ text: string; timer?: NodeJS.Timeout }>({ text: '' });
    const flush = () => {
      const text = buffer.current.text;
      buffer.current.timer = undefined;
      setItems((xs) => [...xs.slice(0, -1), { ...xs[xs.length - 1]!, text }]);
    };
    const startItem = (role: Item['role'], text = '') => {
      if (buffer.current.timer) clearTimeout(buffer.current.timer), flush();
      buffer.current = { text };
      setItems((xs) => [...xs, { role, text }]);
    };
    const append = (piece: string) => {
      buffer.current.text += piece;
      buffer.current.timer ??= setTimeout(flush, 30);
    };
    const finishItem = () => {
      if (buffer.current.timer) clearTimeout(buffer.current.timer);
      flush();
    };

    const runCommands = async (commands: string[], approved: boolean) => {
      const { executeCommands } = await import('./chat-exec.js');
      setBusy('running in the sandbox…');
      startItem('note', '');
      try {
        const summary = await executeCommands(commands, approved, exec!, (line) => append(`│ ${line}\n`));
        append(summary.join('\n'));
      } catch (err) {
        append(`error ${(err as { code?: string }).code ?? ''} ${(err as Error).message}`);
      }
      finishItem();
      setBusy(undefined);
    };

    const submit = async (value: string) => {
      const text = value.trim();
      if (busyRef.current) return;
      typed.current = '';
      setInput('');
      if (!text) return;
      if (['quit', 'exit', 'q'].includes(text.toLowerCase())) return exit();
      saveHistory(text);
      setOffset(0);
      setItems((xs) => [...xs, { role: 'user', text }]);
      startItem('assistant');
      setBusy('answering…');
      turn.current = new AbortController();
      try {
        const r = await session.send(text, append, turn.current.signal);
        finishItem();
        setBusy(undefined);
        if (exec && r.commands.length) {
          const { describeCommands } = await import('./chat-exec.js');
          const { lines, verdicts } = await describeCommands(r.commands, exec);
          const denied = verdicts.available && verdicts.verdict === 'deny';
          startItem('note', `commands:\n${lines.join('\n')}${denied || exec.yes ? '' : `\nrun ${r.commands.length === 1 ? 'it' : `these ${r.commands.length}`} in the sandbox? press y to run, any other key to skip`}`);
          finishItem();
          if (denied || exec.yes) await runCommands(r.commands, exec.yes);
          else {
            pending.current = r.commands;
            setMode('confirm');
          }
        }
      } catch (err) {
        finishItem();
        setBusy(undefined);
        const e = err as { code?: string; message?: string; hint?: string };
        startItem('note', turn.current?.signal.aborted ? '(answer stopped)' : `error ${e.code ?? ''} ${e.message ?? String(err)}${e.hint ? `\nhint: ${e.hint}` : ''}`);
        finishItem();
      } finally {
        turn.current = undefined;
      }
    };

    // Header, input and hint take three rows; one row is left free so ink never has to clear the screen.
    // Text and Enter can arrive in one chunk (a paste, or fast typing): ink then hands the
    // input a value ending in a carriage return instead of calling onSubmit.
    // Text and Enter handled in one tick: the input's onSubmit still holds the old value, so
    // the latest text is kept here.
    const typed = React.useRef('');
    const onType = (v: string) => {
      const cut = v.search(/[\r\n]/);
      typed.current = cut >= 0 ? v.slice(0, cut) : v;
      setInput(typed.current);
      if (cut >= 0) void submit(typed.current);
    };

    const height = Math.max(3, size.rows - 4);
    const width = Math.max(20, size.cols - 2);
    const lines = React.useMemo(() => {
      const out: string[] = [];
      for (const it of items) {
        if (out.length) out.push('');
        out.push(...itemLines(it, width));
      }
      return out;
    }, [items, width, renderer]);
    const maxOffset = Math.max(0, lines.length - height);
    const off = Math.min(offset, maxOffset);
    const visible = lines.slice(Math.max(0, lines.length - height - off), lines.length - off);

    useInput((ch, key) => {
      if (key.ctrl && ch === 'c') {
        turn.current?.abort();
        exit();
        return;
      }
      if (key.ctrl && ch === 'l') {
        session.clear();
        setItems([]);
        setOffset(0);
        setMode('input');
        return;
      }
      if (mode === 'confirm') {
        const commands = pending.current;
        pending.current = undefined;
        setMode('input');
        if (commands && ch.toLowerCase() === 'y') void runCommands(commands, true);
        else startItem('note', 'not run'), finishItem();
        return;
      }
      if (key.escape) {
        setMode('input');
        setOffset(0);
        return;
      }
      const step = key.pageUp || key.pageDown ? height - 1 : key.upArrow || key.downArrow ? 1 : 0;
      if (step) {
        const up = key.pageUp || key.upArrow;
        setOffset((o) => Math.max(0, Math.min(maxOffset, Math.min(o, maxOffset) + (up ? step : -step))));
        setMode('scroll');
      }
    });

    const hint =
      mode === 'confirm' ? 'y: run the commands in the sandbox · any other key: skip'
      : mode === 'scroll' ? `scrolling (${off} lines up) · ↑/↓ PgUp/PgDn · Esc: back to input`
      : busy ?? 'Enter: send · PgUp/PgDn: scroll · Ctrl+L: clear · Ctrl+C: quit';
    return h(Box, { flexDirection: 'column', height: size.rows - 1, width: size.cols },
      h(Text, { wrap: 'truncate-end', bold: true }, `cloudya chat · ${session.label}${exec ? ' · -e' : ''}`),
      h(Box, { flexDirection: 'column', height, flexShrink: 0 }, ...visible.map((l, i) => h(Text, { key: i, wrap: 'truncate-end' }, l || ' '))),
      h(Box, null,
        h(Text, { color: 'cyan' }, '› '),
        h(TextInput, { value: input, onChange: onType, onSubmit: () => void submit(typed.current), focus: mode === 'input', placeholder: busy ? '' : 'ask about aws, kubernetes, terraform, docker…' })),
      h(Text, { dimColor: true, wrap: 'truncate-end' }, hint),
    );
  }

  process.stdout.write('\x1b[?1049h\x1b[H');
  try {
    const app = ink.render(h(Chat), { exitOnCtrlC: false, patchConsole: false });
    await app.waitUntilExit();
  } finally {
    process.stdout.write('\x1b[?1049l');
  }
  return 0;
}
