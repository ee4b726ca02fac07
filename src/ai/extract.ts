// The commands in a chat answer: the lines of its ```bash / ```sh / ```shell
// code blocks. A line ending in `\` continues on the next; a heredoc (<<EOF)
// stays one command with its body; comments and blank lines are dropped.
export function extractCommands(markdown: string): string[] {
  const out: string[] = [];
  const fence = /```(?:bash|sh|shell|console|zsh)[^\n]*\n([\s\S]*?)```/g;
  for (const m of markdown.matchAll(fence)) {
    const lines = m[1]!.split('\n');
    for (let i = 0; i < lines.length; i++) {
      let cmd = lines[i]!.replace(/^\s*\$\s+/, '');
      if (!cmd.trim() || cmd.trim().startsWith('#')) continue;
      while (cmd.endsWith('\\') && i + 1 < lines.length) cmd = `${cmd}\n${lines[++i]}`;
      const here = /<<-?\s*['"]?([A-Za-z_][A-Za-z0-9_]*)['"]?/.exec(cmd);
      if (here) {
        const end = here[1]!;
        while (i + 1 < lines.length) {
          const next = lines[++i]!;
          cmd += `\n${next}`;
          if (next.trim() === end) break;
        }
      }
      out.push(cmd.trim());
    }
  }
  return out;
}
