/** What went wrong, in the seller's words (see errorText), announced to screen readers; nothing while all is well. */
export function ErrorAlert({ message }: { message: string | undefined }) {
  if (!message) return null;
  return (
    <p class="error" role="alert">
      {message}
    </p>
  );
}
