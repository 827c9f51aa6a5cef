import { StrictMode, Suspense, lazy } from "react";
import { createRoot } from "react-dom/client";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createBrowserRouter, Navigate, RouterProvider } from "react-router-dom";
import { Layout } from "./components/Layout";
import { applyTheme, storedTheme } from "./components/ThemeToggle";
import { ApiError } from "./api/client";
import { routerBasename } from "./base";
import { NewOptimizationPage } from "./pages/NewOptimizationPage";
import { JobsPage } from "./pages/JobsPage";
import { JobDashboardPage } from "./pages/JobDashboardPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { CardSkeleton } from "./components/Skeleton";
import "./styles.css";

const TrialDetailPage = lazy(() => import("./pages/TrialDetailPage"));

applyTheme(storedTheme());

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      retry: (failures, error) =>
        !(error instanceof ApiError && error.status >= 400 && error.status < 500) && failures < 2,
      refetchOnWindowFocus: false,
    },
  },
});

const router = createBrowserRouter(
  [
    {
      element: <Layout />,
      children: [
        { index: true, element: <Navigate to="/jobs" replace /> },
        { path: "new", element: <NewOptimizationPage /> },
        { path: "jobs", element: <JobsPage /> },
        { path: "jobs/:jobId", element: <JobDashboardPage /> },
        {
          path: "jobs/:jobId/trials/:number",
          element: (
            <Suspense fallback={<CardSkeleton lines={6} />}>
              <TrialDetailPage />
            </Suspense>
          ),
        },
        { path: "*", element: <NotFoundPage /> },
      ],
    },
  ],
  {
    basename: routerBasename() || "/",
    future: { v7_relativeSplatPath: true, v7_fetcherPersist: true, v7_normalizeFormMethod: true, v7_partialHydration: true, v7_skipActionErrorRevalidation: true },
  },
);

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} future={{ v7_startTransition: true }} />
    </QueryClientProvider>
  </StrictMode>,
);
