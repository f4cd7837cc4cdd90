export function ExperimentPage(props: { experimentKey: string }) {
  return (
    <main id="main" class="page">
      <h1>{props.experimentKey}</h1>
    </main>
  );
}
