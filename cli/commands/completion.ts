// `maestro completion bash|zsh|fish`: a completion script for commands, subcommands and each command's flags, from the command table.
import { type Command, parseFlags, UsageError } from "../command.ts";
import { requirePositional } from "../http-client.ts";
import { commands } from "./index.ts";
import { itemAt } from "../../common/present.ts";

interface Entry {
  words: string[];
  flags: string[];
}

/** Every command's words and its flags, read from its usage text (the one place each command lists them). */
async function entries(): Promise<Entry[]> {
  return Promise.all(
    commands
      .filter((c) => c.name !== "completion")
      .map(async (c) => {
        const usage = (await c.load()).usage;
        const flags = [...new Set([...usage.matchAll(/(?<![\w-])--([a-z][a-z0-9-]*)/g)].map((m) => `--${m[1]}`)), "--help"];
        return { words: c.name.split(" "), flags };
      }),
  );
}

const quote = (words: string[]) => words.join(" ");
/** A command's first word (a name split on spaces has one) and its second, "" for a command of one word. */
const first = (e: Entry) => itemAt(e.words, 0, "a command's words");
const second = (e: Entry) => e.words[1] ?? "";

function bash(list: Entry[]): string {
  const firsts = [...new Set([...list.map((e) => first(e)), "completion"])];
  const groups = [...new Set(list.filter((e) => e.words.length > 1).map((e) => first(e)))];
  const subs = groups.map(
    (g) => `    ${g}) COMPREPLY=($(compgen -W "${quote(list.filter((e) => first(e) === g).map((e) => second(e)))}" -- "$cur")); return ;;`,
  );
  const flags = list.map((e) => `    "${e.words.join(" ")}") flags="${quote(e.flags)}" ;;`);
  return `# maestro completion for bash: eval "$(bin/maestro completion bash)" (or save it under bash-completion's completions dir)
_maestro() {
  local cur=\${COMP_WORDS[COMP_CWORD]} cmd flags
  if [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=($(compgen -W "${quote(firsts)}" -- "$cur")); return
  fi
  if [[ $COMP_CWORD -eq 2 ]]; then
    case "\${COMP_WORDS[1]}" in
${subs.join("\n")}
    completion) COMPREPLY=($(compgen -W "bash zsh fish" -- "$cur")); return ;;
    esac
  fi
  case "\${COMP_WORDS[1]}" in
    ${groups.join("|")}) cmd="\${COMP_WORDS[1]} \${COMP_WORDS[2]}" ;;
    *) cmd="\${COMP_WORDS[1]}" ;;
  esac
  case "$cmd" in
${flags.join("\n")}
  esac
  if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "$flags" -- "$cur")); else COMPREPLY=($(compgen -f -- "$cur")); fi
}
complete -o filenames -F _maestro maestro
`;
}

function zsh(list: Entry[]): string {
  // zsh runs bash completion functions through bashcompinit: one script to keep right instead of two.
  return `#compdef maestro
# maestro completion for zsh: eval "$(bin/maestro completion zsh)"
autoload -U +X bashcompinit && bashcompinit
${bash(list).split("\n").slice(1).join("\n")}`;
}

function fish(list: Entry[]): string {
  const out = ["# maestro completion for fish: bin/maestro completion fish | source", "complete -c maestro -f"];
  const firsts = [...new Set(list.map((e) => first(e)))];
  out.push(`complete -c maestro -n __fish_use_subcommand -a "${quote([...firsts, "completion"])}"`);
  for (const g of new Set(list.filter((e) => e.words.length > 1).map((e) => first(e)))) {
    out.push(
      `complete -c maestro -n "__fish_seen_subcommand_from ${g}; and not __fish_seen_subcommand_from ${quote(list.filter((e) => first(e) === g).map((e) => second(e)))}" -a "${quote(list.filter((e) => first(e) === g).map((e) => second(e)))}"`,
    );
  }
  out.push(`complete -c maestro -n "__fish_seen_subcommand_from completion" -a "bash zsh fish"`);
  for (const e of list) {
    const when = e.words.map((w) => `__fish_seen_subcommand_from ${w}`).join("; and ");
    for (const f of e.flags) out.push(`complete -c maestro -n "${when}" -l ${f.slice(2)}`);
  }
  return `${out.join("\n")}\n`;
}

export const completionCommand: Command = {
  name: "completion",
  usage: `
Usage: maestro completion bash|zsh|fish

Prints a completion script for commands, subcommands and flags:
  bash   eval "$(bin/maestro completion bash)"        (in ~/.bashrc)
  zsh    eval "$(bin/maestro completion zsh)"         (in ~/.zshrc)
  fish   bin/maestro completion fish | source         (or > ~/.config/fish/completions/maestro.fish)`,
  async run(argv) {
    const { positionals } = parseFlags(argv, {}, completionCommand, true);
    const shell = requirePositional(positionals, "shell (bash, zsh or fish)");
    const render = { bash, zsh, fish }[shell as "bash" | "zsh" | "fish"];
    if (!render) throw new UsageError(`unknown shell "${shell}": bash, zsh or fish`);
    process.stdout.write(render(await entries()));
  },
};
