export const STATUS_LABELS: Record<string, string> = {
  draft: 'Draft',
  running: 'Running',
  stopped: 'Stopped',
};

export function StatusBadge(props: { status: string }) {
  return <span class={`status status-${props.status}`}>{STATUS_LABELS[props.status] ?? props.status}</span>;
}
