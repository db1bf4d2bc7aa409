import { Alert, AlertTitle, Button } from "@mui/material";
import { Component, type ErrorInfo, type ReactNode } from "react";

interface State {
  error: Error | null;
}

/** One per page: a page that throws shows what broke instead of a blank screen. */
export class PageErrorBoundary extends Component<{ children: ReactNode; page: string }, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error(`the ${this.props.page} page failed`, error, info.componentStack);
  }

  override render(): ReactNode {
    if (this.state.error !== null) {
      return (
        <Alert
          severity="error"
          role="alert"
          action={
            <Button
              color="inherit"
              onClick={() => {
                this.setState({ error: null });
              }}
            >
              Try again
            </Button>
          }
        >
          <AlertTitle>The {this.props.page} page failed</AlertTitle>
          {this.state.error.message}
        </Alert>
      );
    }
    return this.props.children;
  }
}
