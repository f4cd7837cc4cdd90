export function ExperimentsPage() {
  return (
    <main id="main" class="page">
      <h1>Experiments</h1>
    </main>
  );
}
