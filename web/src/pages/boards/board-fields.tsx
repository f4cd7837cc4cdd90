/** What a board is made or edited with: its name, description and whether it is secret. */
export interface BoardDraft {
  name: string;
  description: string;
  secret: boolean;
}

/** The fields of a board's form (creating one, or editing it). */
export function BoardFields(props: {
  draft: BoardDraft;
  onChange: (change: Partial<BoardDraft>) => void;
  descriptionLabel: string;
}) {
  const { draft, onChange } = props;
  return (
    <>
      <label class="field">
        <span>Name</span>
        <input
          type="text"
          required
          maxLength={180}
          value={draft.name}
          onInput={(e) => onChange({ name: e.currentTarget.value })}
        />
      </label>
      <label class="field">
        <span>{props.descriptionLabel}</span>
        <textarea
          maxLength={500}
          rows={3}
          value={draft.description}
          onInput={(e) => onChange({ description: e.currentTarget.value })}
        />
      </label>
      <label class="check">
        <input
          type="checkbox"
          checked={draft.secret}
          onChange={(e) => onChange({ secret: e.currentTarget.checked })}
        />
        Keep this board secret (only you can see it)
      </label>
    </>
  );
}
